-- *Patient-level.* TPMT results of the shown patients with their phenotype.
select t.patient_id, t.collected_date, coalesce(t.phenotype, 'unclassified') as phenotype
from tpmt_results t join worklist_shown w using (patient_id)
order by t.patient_id, t.collected_date
