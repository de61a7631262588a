-- *Patient-level.* Last test and next due date per monitored group, for the patients shown.
select t.patient_id, t.test, t.label, t.short, t.last_test, t.next_due
from worklist_tests t join worklist_shown w using (patient_id)
order by w.urgency, t.position
