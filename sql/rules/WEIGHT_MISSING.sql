-- rule: WEIGHT_MISSING
-- title: No weight when the dose was set
-- why: Azathioprine is dosed per kg: without a weight the dose cannot be checked.
-- severity: low
-- current: recent_start
-- population: on_treatment
-- fires when: the first prescription of an episode has no body weight in the $weight_lookback_days days up
--   to its start ([start - $weight_lookback_days, start]), so its dose in mg/kg cannot be checked.
--   key_date = episode start; window = the weight look-back interval.
with expected as (
    select
        e.patient_id, e.episode_start, a.start_date,
        cast(a.start_date - $weight_lookback_days * interval 1 day as date) as window_start
    from episodes e
    join aza_prescriptions a on a.prescription_id = e.first_prescription_id
)
select
    x.patient_id,
    x.episode_start,
    null as test,
    x.episode_start as key_date,
    x.window_start,
    x.start_date as window_end,
    null as value,
    null as threshold,
    'No body weight recorded from ' || strftime(x.window_start, '%Y-%m-%d') || ' to '
        || strftime(x.start_date, '%Y-%m-%d') || ' for the azathioprine episode started '
        || strftime(x.episode_start, '%Y-%m-%d')
        || ': record the weight so the dose in mg/kg/day can be checked.' as detail
from expected x
where not exists (
    select 1 from weights w
    where w.patient_id = x.patient_id
      and w.collected_date between x.window_start and x.start_date
)
