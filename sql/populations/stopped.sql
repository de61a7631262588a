-- Patients whose last episode is not active at as-of (treatment stopped).
select distinct patient_id from episodes where is_last and not is_active
