-- Findings of the previous run that this run no longer has.
select h.finding_id, h.rule_id, h.severity, h.patient_id, h.site_id, h.test, h.key_date, h.detail
from findings_history as h
where h.run_id = $previous_run_id
  and not exists (select 1 from findings as f where f.finding_id = h.finding_id)
order by
    case h.severity
        when 'critical' then 1 when 'high' then 2 when 'medium' then 3 when 'low' then 4 when 'info' then 5
        else 6
    end,
    h.key_date nulls last, h.patient_id, h.finding_id
limit $limit
