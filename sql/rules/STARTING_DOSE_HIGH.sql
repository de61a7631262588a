-- rule: STARTING_DOSE_HIGH
-- title: Starting dose above the guidance
-- why: The guidance starts at 1-2 mg/kg/day and increases with monitoring.
-- severity: low
-- current: recent_start
-- population: first_regimen_with_weight
-- fires when: the first regimen of an episode (its same-day prescriptions summed) exceeds
--   $start_max_mg_per_kg_day mg/kg/day (the guidance starts at 1-2 mg/kg/day and titrates up), weight being
--   the latest in [start - $weight_lookback_days, start] (several that day: their mean); no weight or no
--   known dose: no finding.
--   key_date = episode start; value = mg/kg/day (exact(): 9 decimals); threshold = $start_max_mg_per_kg_day.
select
    r.patient_id,
    r.episode_start,
    null as test,
    r.episode_start as key_date,
    null as window_start,
    null as window_end,
    r.mg_per_kg as value,
    $start_max_mg_per_kg_day as threshold,
    'Azathioprine started ' || strftime(r.episode_start, '%Y-%m-%d') || ' at '
        || format('{:g}', round(r.daily_dose_mg, 1)) || ' mg/day for ' || format('{:g}', round(r.weight_kg, 1))
        || ' kg (weighed ' || strftime(r.weight_date, '%Y-%m-%d') || '): ' || format('{:.2f}', r.mg_per_kg)
        || ' mg/kg/day, above the usual starting dose of at most '
        || format('{:g}', cast($start_max_mg_per_kg_day as double))
        || ' mg/kg/day; check that the start was meant to be this high.' as detail
from regimens r
where r.is_first and r.mg_per_kg > $start_max_mg_per_kg_day
