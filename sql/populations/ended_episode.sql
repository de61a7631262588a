-- Patients with at least one episode that is not active at as-of.
select distinct patient_id from episodes where not is_active
