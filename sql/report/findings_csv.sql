-- findings.csv: CONTRACT.md columns in order (FINDING_COLUMNS + FINDINGS_CSV_EXTRA), most severe first.
-- current, first_seen and review_status come from finding_tracking (sql/worklist/10_tracking.sql).
-- Streamed by COPY ... TO.
copy (
    select
        finding_id, rule_id, severity, csv_safe(patient_id) as patient_id, csv_safe(site_id) as site_id,
        episode_start, csv_safe(test) as test, key_date, window_start, window_end, value, threshold,
        csv_safe(detail) as detail,
        t.current,
        coalesce(t.first_seen, cast($as_of as date)) as first_seen,
        t.review_status
    from findings
    left join finding_tracking t using (finding_id)
    order by
        case severity
            when 'critical' then 1 when 'high' then 2 when 'medium' then 3 when 'low' then 4 when 'info' then 5
            else 6
        end,
        rule_id, key_date, findings.patient_id, finding_id
) to $path (format csv, header true, delimiter ',')
