-- Patients with a serious_infection or sepsis event inside an episode [episode_start, episode_end].
select distinct v.patient_id
from events v
join episodes e
  on e.patient_id = v.patient_id and v.event_date between e.episode_start and e.episode_end
where v.event_type in ('serious_infection', 'sepsis')
