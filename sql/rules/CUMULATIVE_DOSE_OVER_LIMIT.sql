-- rule: CUMULATIVE_DOSE_OVER_LIMIT
-- title: Cumulative dose over the limit
-- why: The risk of malignancy rises with cumulative dose: the MS guidance reviews treatment past 600 g.
-- severity: high
-- current: active_patient
-- population: on_treatment
-- fires when: the running sum of total mg over all azathioprine prescriptions starting up to as-of
--   (order: start date, then prescription_id; an unknown total adds 0) exceeds $cumulative_limit_mg.
--   key_date = start of the prescription that crossed it; value = total g at as-of;
--   threshold = the limit in g ($cumulative_limit_mg mg / 1000).
with running as (
    select
        patient_id, prescription_id, start_date,
        exact(sum(coalesce(total_mg, 0)) over (
            partition by patient_id order by start_date, prescription_id rows unbounded preceding
        )) as running_mg,
        exact(sum(coalesce(total_mg, 0)) over (partition by patient_id)) as total_mg_at_as_of
    from aza_prescriptions
    where start_date <= $as_of
),
crossing as (
    select
        patient_id,
        arg_min(start_date, (start_date, prescription_id)) as crossed_on,
        any_value(total_mg_at_as_of) as total_mg
    from running
    where running_mg > $cumulative_limit_mg
    group by patient_id
)
select
    c.patient_id,
    e.episode_start,
    null as test,
    c.crossed_on as key_date,
    null as window_start,
    null as window_end,
    mg_to_g(c.total_mg) as value,
    mg_to_g($cumulative_limit_mg) as threshold,
    -- a total that rounds to the limit is written in mg, so the text never says "600 g, over the 600 g limit"
    'Cumulative azathioprine prescribed '
        || case when round(mg_to_g(c.total_mg), 1) <= round(mg_to_g($cumulative_limit_mg), 1)
                then case when c.total_mg = floor(c.total_mg) then format('{:,}', cast(c.total_mg as bigint))
                          else format('{:,}', round(c.total_mg, 1)) end || ' mg'
                else format('{:g}', round(mg_to_g(c.total_mg), 1)) || ' g' end || ' by '
        || strftime($as_of, '%Y-%m-%d') || ', over the '
        || format('{:g}', round(mg_to_g($cumulative_limit_mg), 1))
        || ' g limit since the prescription of ' || strftime(c.crossed_on, '%Y-%m-%d')
        || ': review continuing azathioprine (malignancy risk).' as detail
from crossing c
join episodes e
  on e.patient_id = c.patient_id and c.crossed_on between e.episode_start and e.episode_end
