-- rule: TPMT_INTERMEDIATE_HIGH_DOSE
-- severity: high
-- population: initiated
-- fires when: the first prescription of an episode has a daily dose above $tpmt_intermediate_max_mg_per_kg
--   mg/kg/day, weight being the latest in [start - $weight_lookback_days, start] (as for
--   DAILY_DOSE_ABOVE_MAX; several on that day: their mean; no weight or no known daily dose: no finding),
--   and the latest classified TPMT result (phenotype not null) on or before that start is intermediate
--   (several classified on that day: the most severe is taken).
--   key_date = episode start; value = mg/kg/day (exact(): 9 decimals, so that a dose exactly at the limit in
--   decimal is not pushed over it by binary rounding, e.g. a weight in lb); threshold =
--   $tpmt_intermediate_max_mg_per_kg.
with first_rx as (
    select e.patient_id, e.episode_start, a.prescription_id, a.daily_dose_mg
    from episodes e
    join aza_prescriptions a on a.prescription_id = e.first_prescription_id
    where a.daily_dose_mg is not null
),
latest_weight as (
    select f.prescription_id, max(w.collected_date) as weight_date
    from first_rx f
    join weights w
      on w.patient_id = f.patient_id
     and w.collected_date between f.episode_start - $weight_lookback_days and f.episode_start
    group by f.prescription_id
),
weight as (
    select l.prescription_id, l.weight_date, avg(w.weight_kg) as weight_kg
    from latest_weight l
    join first_rx f using (prescription_id)
    join weights w on w.patient_id = f.patient_id and w.collected_date = l.weight_date
    group by all
),
latest_tpmt as (
    select
        f.prescription_id,
        arg_max(t.phenotype, (t.collected_date,
                              case t.phenotype when 'deficient' then 1 when 'intermediate' then 0 else -1 end))
            as phenotype,
        max(t.collected_date) as tpmt_date
    from first_rx f
    join tpmt_results t
      on t.patient_id = f.patient_id and t.collected_date <= f.episode_start and t.phenotype is not null
    group by f.prescription_id
)
select
    f.patient_id,
    f.episode_start,
    null as test,
    f.episode_start as key_date,
    null as window_start,
    null as window_end,
    exact(f.daily_dose_mg / w.weight_kg) as value,
    $tpmt_intermediate_max_mg_per_kg as threshold,
    'Azathioprine started ' || strftime(f.episode_start, '%Y-%m-%d') || ' at '
        || format('{:g}', round(f.daily_dose_mg, 1)) || ' mg/day for ' || format('{:g}', round(w.weight_kg, 1))
        || ' kg (weighed ' || strftime(w.weight_date, '%Y-%m-%d') || ') is '
        || format('{:.2f}', f.daily_dose_mg / w.weight_kg) || ' mg/kg/day with intermediate TPMT ('
        || strftime(t.tpmt_date, '%Y-%m-%d') || '), above the limit of '
        || format('{:g}', cast($tpmt_intermediate_max_mg_per_kg as double)) || ' mg/kg/day: lower the dose.'
        as detail
from first_rx f
join weight w using (prescription_id)
join latest_tpmt t using (prescription_id)
where t.phenotype = 'intermediate'
  and exact(f.daily_dose_mg / w.weight_kg) > $tpmt_intermediate_max_mg_per_kg
