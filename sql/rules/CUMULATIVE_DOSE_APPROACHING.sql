-- rule: CUMULATIVE_DOSE_APPROACHING
-- title: Cumulative dose approaching the limit
-- why: A review before the cumulative limit lets the team plan the next step in time.
-- severity: low
-- current: active_patient
-- population: on_treatment
-- fires when: the running sum of total mg (as for CUMULATIVE_DOSE_OVER_LIMIT) has reached
--   $cumulative_approaching_mg but the total at as-of has not exceeded $cumulative_limit_mg.
--   key_date = the date it reached $cumulative_approaching_mg (the start of the prescription that brought it
--   there: the running sum counts a prescription's whole total on its start date);
--   value = total g at as-of; threshold = the limit in g ($cumulative_limit_mg mg / 1000).
--   For a patient whose last episode is active, the detail gives the date the limit will be reached at the
--   latest regimen's daily dose (its same-day prescriptions summed; table regimens): the supply already
--   counted lasts to the episode's last covered day, so from the day after it (or from as-of, when later)
--   at that daily dose, the day the remaining mg are taken: start + ceil(remaining / daily dose) - 1.
--   The latest regimen's dose unknown: no date (never an earlier regimen's dose).
with running as (
    select
        patient_id, prescription_id, start_date, daily_dose_mg,
        exact(sum(coalesce(total_mg, 0)) over (
            partition by patient_id order by start_date, prescription_id rows unbounded preceding
        )) as running_mg,
        exact(sum(coalesce(total_mg, 0)) over (partition by patient_id)) as total_mg_at_as_of
    from aza_prescriptions
    where start_date <= $as_of
),
reached as (
    select
        patient_id,
        arg_min(start_date, (start_date, prescription_id)) filter (where running_mg >= $cumulative_approaching_mg)
            as reached_on,
        any_value(total_mg_at_as_of) as total_mg
    from running
    group by patient_id
    having max(running_mg) >= $cumulative_approaching_mg
       and any_value(total_mg_at_as_of) <= $cumulative_limit_mg
),
latest_regimen as (  -- the dose of the latest regimen, NULL when unknown (not the last known one)
    select patient_id, daily_dose_mg as latest_daily_dose_mg
    from (select *, row_number() over (partition by patient_id order by regimen_start desc) as recency
          from regimens where regimen_start <= $as_of)
    where recency = 1
),
projected as (
    select
        r.*,
        g.latest_daily_dose_mg,
        e.episode_start,
        l.is_active as last_active,
        case when l.is_active and g.latest_daily_dose_mg > 0 then
            greatest(l.episode_end + 1, $as_of)
                + cast(ceil(($cumulative_limit_mg - r.total_mg) / g.latest_daily_dose_mg) as integer) - 1
        end as limit_on
    from reached r
    join episodes e
      on e.patient_id = r.patient_id and r.reached_on between e.episode_start and e.episode_end
    join episodes l
      on l.patient_id = r.patient_id and l.is_last
    left join latest_regimen g on g.patient_id = r.patient_id
)
select
    patient_id,
    episode_start,
    null as test,
    reached_on as key_date,
    null as window_start,
    null as window_end,
    mg_to_g(total_mg) as value,
    mg_to_g($cumulative_limit_mg) as threshold,
    'Cumulative azathioprine prescribed ' || format('{:g}', round(mg_to_g(total_mg), 1)) || ' g by '
        || strftime($as_of, '%Y-%m-%d')
        || ' (reached ' || format('{:g}', round(mg_to_g($cumulative_approaching_mg), 1)) || ' g on '
        || strftime(reached_on, '%Y-%m-%d') || '; limit '
        || format('{:g}', round(mg_to_g($cumulative_limit_mg), 1)) || ' g)'
        || case
               when limit_on is not null then
                   ': at the current ' || format('{:g}', round(latest_daily_dose_mg, 1))
                   || ' mg/day the limit will be reached on '
                   || strftime(limit_on, '%Y-%m-%d') || '; plan review before then.'
               when last_active then
                   ': the current daily dose is unknown; plan review before the limit is reached.'
               else ': review before any restart.'
           end as detail
from projected
