-- rule: TPMT_INTERMEDIATE_HIGH_DOSE
-- title: Full dose with intermediate TPMT
-- why: Intermediate TPMT activity calls for a reduced dose (BNF, CPIC guideline).
-- severity: high
-- current: recent_start
-- population: intermediate_with_weight
-- fires when: the first regimen of an episode (its same-day prescriptions summed) has a daily dose above
--   $tpmt_intermediate_max_mg_per_kg mg/kg/day, weight being the latest in [start - $weight_lookback_days,
--   start] (several on that day: their mean; no weight or no known dose: no finding), and the patient's
--   TPMT phenotype at the episode start is intermediate (the most severe classified result on or before it:
--   a deficient result wins over an intermediate one).
--   key_date = episode start; value = mg/kg/day (exact(): 9 decimals); threshold =
--   $tpmt_intermediate_max_mg_per_kg.
select
    r.patient_id,
    r.episode_start,
    null as test,
    r.episode_start as key_date,
    null as window_start,
    null as window_end,
    r.mg_per_kg as value,
    $tpmt_intermediate_max_mg_per_kg as threshold,
    'Azathioprine started ' || strftime(r.episode_start, '%Y-%m-%d') || ' at '
        || format('{:g}', round(r.daily_dose_mg, 1)) || ' mg/day for ' || format('{:g}', round(r.weight_kg, 1))
        || ' kg (weighed ' || strftime(r.weight_date, '%Y-%m-%d') || ') is '
        || format('{:.2f}', r.mg_per_kg) || ' mg/kg/day with intermediate TPMT ('
        || strftime(t.tpmt_date, '%Y-%m-%d') || '), above the limit of '
        || format('{:g}', cast($tpmt_intermediate_max_mg_per_kg as double)) || ' mg/kg/day: lower the dose.'
        as detail
from regimens r
join episode_tpmt t using (patient_id, episode_no)
where r.is_first and t.phenotype = 'intermediate' and r.mg_per_kg > $tpmt_intermediate_max_mg_per_kg
