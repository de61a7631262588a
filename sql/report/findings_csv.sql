-- findings.csv: CONTRACT.md columns in order (FINDINGS_CSV_COLUMNS), most severe first. Streamed by COPY ... TO.
copy (
    select
        finding_id, rule_id, severity, csv_safe(patient_id) as patient_id, csv_safe(site_id) as site_id,
        episode_start, csv_safe(test) as test, key_date, window_start, window_end, value, threshold,
        csv_safe(detail) as detail,
        -- RULES.md "Acting on findings" (sql/findings/status.sql); first_seen: the as-of date of the first
        -- completed run that had this finding_id, else this run's
        s.current,
        coalesce((select min(h.as_of) from findings_history h join run_history r using (run_id)
                  where h.finding_id = findings.finding_id and r.status = 'completed' and h.as_of <= $as_of),
                 cast($as_of as date)) as first_seen
    from findings
    left join finding_status s using (finding_id)
    order by
        case severity
            when 'critical' then 1 when 'high' then 2 when 'medium' then 3 when 'low' then 4 when 'info' then 5
            else 6
        end,
        rule_id, key_date, findings.patient_id, finding_id
) to $path (format csv, header true, delimiter ',')
