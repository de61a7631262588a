-- *Patient-level.* Clinical events of the shown patients.
select e.patient_id, e.event_date, e.event_type
from events e join worklist_shown w using (patient_id)
order by e.patient_id, e.event_date, e.event_type  -- rows that tie draw the same
