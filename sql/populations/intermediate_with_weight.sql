-- Patients with an episode whose TPMT phenotype at its start is intermediate (the most severe classified
-- result on or before it) and whose first regimen has a known dose and a weight.
select distinct r.patient_id
from regimens r
join episode_tpmt t using (patient_id, episode_no)
where r.is_first and t.phenotype = 'intermediate' and r.mg_per_kg is not null
