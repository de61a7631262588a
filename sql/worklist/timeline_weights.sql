-- *Patient-level.* Body weights of the shown patients.
select x.patient_id, x.collected_date, x.weight_kg
from weights x join worklist_shown w using (patient_id)
order by x.patient_id, x.collected_date
