-- Patients with an azathioprine prescription whose daily dose is known and who have a weight in the
-- $weight_lookback_days days up to its start.
select distinct a.patient_id
from aza_prescriptions a
join weights w
  on w.patient_id = a.patient_id
 and w.collected_date between a.start_date - $weight_lookback_days * interval 1 day and a.start_date
where a.daily_dose_mg is not null
