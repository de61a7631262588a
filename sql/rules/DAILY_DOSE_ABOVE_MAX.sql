-- rule: DAILY_DOSE_ABOVE_MAX
-- severity: high
-- population: dosed_with_weight
-- fires when: an azathioprine prescription's daily dose / weight > $max_mg_per_kg_day mg/kg/day, weight =
--   the latest in [start - $weight_lookback_days, start] (the mean of that day's weights if several).
--   No daily dose or no weight: no finding (WEIGHT_MISSING covers the missing weight).
--   key_date = prescription start; value = mg/kg/day, threshold = the maximum. Several prescriptions
--   starting the same day: one finding, for the highest dose. mg/kg is compared through exact() (9 decimals),
--   so a dose exactly at the maximum in decimal (136.08 mg/day for 100 lb) is not pushed over it by binary
--   rounding.
with weighed as (
    select
        a.prescription_id, a.patient_id, a.start_date, a.daily_dose_mg,
        max(w.collected_date) as weight_date
    from aza_prescriptions a
    join weights w
      on w.patient_id = a.patient_id
     and w.collected_date between a.start_date - $weight_lookback_days * interval 1 day and a.start_date
    where a.daily_dose_mg is not null
    group by all
),
dosed as (
    select
        x.*,
        (select avg(w.weight_kg) from weights w
         where w.patient_id = x.patient_id and w.collected_date = x.weight_date) as weight_kg
    from weighed x
),
over_max as (
    select
        patient_id, start_date,
        arg_max(daily_dose_mg, exact(daily_dose_mg / weight_kg)) as daily_dose_mg,
        arg_max(weight_kg, exact(daily_dose_mg / weight_kg)) as weight_kg,
        arg_max(weight_date, exact(daily_dose_mg / weight_kg)) as weight_date,
        max(exact(daily_dose_mg / weight_kg)) as mg_per_kg
    from dosed
    where exact(daily_dose_mg / weight_kg) > $max_mg_per_kg_day
    group by patient_id, start_date
)
select
    o.patient_id,
    e.episode_start,
    null as test,
    o.start_date as key_date,
    null as window_start,
    null as window_end,
    o.mg_per_kg as value,
    $max_mg_per_kg_day as threshold,
    'Azathioprine prescribed ' || strftime(o.start_date, '%Y-%m-%d') || ' at '
        || format('{:g}', o.daily_dose_mg) || ' mg/day for ' || format('{:g}', o.weight_kg) || ' kg (weighed '
        || strftime(o.weight_date, '%Y-%m-%d') || ') is ' || format('{:.2f}', o.mg_per_kg)
        || ' mg/kg/day, above the maximum of ' || format('{:g}', cast($max_mg_per_kg_day as double))
        || ' mg/kg/day: review the dose.' as detail
from over_max o
join episodes e
  on e.patient_id = o.patient_id and o.start_date between e.episode_start and e.episode_end
