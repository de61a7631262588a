-- *Patient-level.* Every finding of the shown patients (current or not), for the timeline.
select f.patient_id, f.key_date, f.rule_id, c.title, f.severity, f.test, t.current, t.on_worklist
from findings f
join worklist_shown w using (patient_id)
join finding_tracking t using (finding_id)
join rule_catalog c using (rule_id)
where f.key_date is not null
order by f.patient_id, f.key_date, f.rule_id, f.test, f.finding_id  -- a total order: the same page every run
