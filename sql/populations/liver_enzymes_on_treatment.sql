-- Patients with an interpretable ALT or AST result (U/L) inside an episode [episode_start, episode_end].
select distinct r.patient_id
from lab_results r
join episodes e
  on e.patient_id = r.patient_id and r.collected_date between e.episode_start and e.episode_end
where r.analyte in ('ALT', 'AST')
  and r.unit_status = 'ok'
  and r.value_canonical is not null
