-- *Patient-level.* Tests per monitored group of the shown patients.
select b.patient_id, b.test, b.test_date
from blood_tests b join worklist_shown w using (patient_id)
where b.test in (select test from monitored_tests)
order by b.patient_id, b.test_date
