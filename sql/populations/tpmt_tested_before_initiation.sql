-- Initiated patients with a classified TPMT result on or before their initiation.
select distinct i.patient_id
from initiations i
join tpmt_results t on t.patient_id = i.patient_id
where t.phenotype is not null and t.collected_date <= i.initiation_date
