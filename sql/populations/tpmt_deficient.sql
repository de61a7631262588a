-- Initiated patients with a TPMT result classified deficient up to as-of.
select distinct i.patient_id
from initiations i
join tpmt_results t on t.patient_id = i.patient_id
where t.phenotype = 'deficient' and t.collected_date <= $as_of
