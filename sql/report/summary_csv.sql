-- summary.csv, streamed by COPY ... TO (the view comes from sql/report/summary_view.sql).
copy (
    select rule_id, csv_safe(site_id) as site_id, patients_evaluated, patients_flagged, findings, rate, status
    from report_summary
) to $path (format csv, header true, delimiter ',')
