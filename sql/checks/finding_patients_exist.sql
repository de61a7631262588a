-- Findings whose patient is not among the accepted patients (must be 0).
select count(*) from findings f
where not exists (select 1 from stg_patients p where p.patient_id = f.patient_id)
