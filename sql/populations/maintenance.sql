-- Patients with an episode that reached its maintenance phase (E >= M).
select distinct patient_id from episodes where eval_end >= maintenance_start
