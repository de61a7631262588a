-- Findings of this run that the previous run did not have (most severe, oldest first).
select f.finding_id, f.rule_id, f.severity, f.patient_id, f.site_id, f.test, f.key_date, f.detail
from findings as f
where not exists (
    select 1 from findings_history as h where h.run_id = $previous_run_id and h.finding_id = f.finding_id
)
order by
    case f.severity
        when 'critical' then 1 when 'high' then 2 when 'medium' then 3 when 'low' then 4 when 'info' then 5
        else 6
    end,
    f.key_date nulls last, f.patient_id, f.finding_id
limit $limit
