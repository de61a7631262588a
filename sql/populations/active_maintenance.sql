-- Patients on an active episode at as-of that has reached its maintenance phase (as_of >= M).
select distinct patient_id from episodes where is_active and $as_of >= maintenance_start
