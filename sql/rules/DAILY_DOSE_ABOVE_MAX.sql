-- rule: DAILY_DOSE_ABOVE_MAX
-- title: Daily dose above the maximum per kg
-- why: The SmPC's maximum is 3 mg/kg/day; above it toxicity rises without more benefit.
-- severity: high
-- current: latest_regimen
-- population: dosed_with_weight
-- fires when: within an episode, taking its regimens (same-day prescriptions summed; table regimens) in start
--   order, a run of consecutive regimens whose daily dose / weight at their start (the latest weight in
--   [start - $weight_lookback_days, start], the mean of that day's) exceeds $max_mg_per_kg_day mg/kg/day
--   gives one finding; a regimen without a weight or with an unknown dose neither extends nor breaks a run
--   (WEIGHT_MISSING covers the missing weight). key_date = the first start of the run; window = its first
--   to last start; value = the highest mg/kg/day in the run, threshold = the maximum. mg/kg is compared
--   through exact() (9 decimals), so a dose exactly at the maximum in decimal (136.08 mg/day for 100 lb) is
--   not pushed over it by binary rounding.
with assessable as (
    select r.*, r.mg_per_kg > $max_mg_per_kg_day as over
    from regimens r
    where r.mg_per_kg is not null
),
numbered as (  -- a run: consecutive over-limit regimens, numbered by the regimens within the limit before it
    select *,
        sum(case when over then 0 else 1 end) over (
            partition by patient_id, episode_no order by regimen_start rows unbounded preceding) as run_no
    from assessable
),
runs as (
    select
        patient_id, episode_no, any_value(episode_start) as episode_start, run_no,
        min(regimen_start) as run_start, max(regimen_start) as run_end, count(*) as regimens,
        max(mg_per_kg) as mg_per_kg,
        arg_max(daily_dose_mg, (mg_per_kg, regimen_start)) as daily_dose_mg,
        arg_max(weight_kg, (mg_per_kg, regimen_start)) as weight_kg,
        arg_max(regimen_start, (mg_per_kg, regimen_start)) as highest_on
    from numbered
    where over
    group by patient_id, episode_no, run_no
)
select
    patient_id,
    episode_start,
    null as test,
    run_start as key_date,
    run_start as window_start,
    run_end as window_end,
    mg_per_kg as value,
    $max_mg_per_kg_day as threshold,
    'Azathioprine above ' || format('{:g}', cast($max_mg_per_kg_day as double)) || ' mg/kg/day from '
        || strftime(run_start, '%Y-%m-%d')
        || case when regimens > 1 then ' to ' || strftime(run_end, '%Y-%m-%d') || ' (' || regimens || ' prescriptions)'
                else '' end
        || ': at most ' || format('{:g}', round(daily_dose_mg, 1)) || ' mg/day for '
        || format('{:g}', round(weight_kg, 1)) || ' kg on ' || strftime(highest_on, '%Y-%m-%d') || ' is '
        || format('{:.2f}', mg_per_kg) || ' mg/kg/day: review the dose.' as detail
from runs
