-- *Patient-level.* Regimens of the shown patients' latest episode (daily dose, mg/kg at their start).
select r.patient_id, r.regimen_start, r.daily_dose_mg, r.mg_per_kg, r.weight_kg
from regimens r
join worklist_patients p on p.patient_id = r.patient_id and p.episode_start = r.episode_start
join worklist_shown w on w.patient_id = r.patient_id
where r.regimen_start <= coalesce(p.episode_end, r.regimen_start)
order by r.patient_id, r.regimen_start
