-- Patients with an episode whose first regimen has a known daily dose and a weight at its start.
select distinct patient_id
from regimens
where is_first and mg_per_kg is not null
