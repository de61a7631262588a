-- Patients with an episode that has at least one induction window INDUCTION_MONITORING_GAP evaluates:
-- window_end < as-of, window_start <= episode_end, and window_end before any death date.
select distinct e.patient_id
from episodes e
join schedule_windows w
  on e.episode_start + w.end_offset < $as_of
 and e.episode_start + w.start_offset <= e.episode_end
 and (e.death_date is null or e.episode_start + w.end_offset < e.death_date)
