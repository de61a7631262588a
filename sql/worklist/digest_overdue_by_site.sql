-- Patients on the worklist with blood monitoring overdue, per site (counts only).
select coalesce(nullif(f.site_id, ''), 'UNKNOWN') as site_id, count(distinct f.patient_id) as patients
from findings f join finding_tracking t using (finding_id)
where t.on_worklist and f.rule_id = 'MONITORING_OVERDUE'
group by 1
order by 1
