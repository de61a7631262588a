-- Patients with at least one treatment episode.
select distinct patient_id from episodes
