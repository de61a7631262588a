-- Patients with a result that breaches its toxicity limit (table toxicity) inside an episode: the
-- results that must be repeated.
select distinct t.patient_id
from toxicity t
join episodes e
  on e.patient_id = t.patient_id and t.collected_date between e.episode_start and e.episode_end
where t.breach
