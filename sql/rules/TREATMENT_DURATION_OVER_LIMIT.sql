-- rule: TREATMENT_DURATION_OVER_LIMIT
-- title: Treated beyond the duration limit
-- why: The malignancy risk grows with duration: the MS guidance reviews treatment past 10 years.
-- severity: high
-- current: active_patient
-- population: on_treatment
-- fires when: days on treatment (sum over episodes of E - episode_start + 1; E = eval_end: as-of for an
--   active episode, else episode_end, never after death) exceed $duration_limit_days.
--   key_date = the day the count passed $duration_limit_days (the day it reached $duration_limit_days + 1);
--   value = days on treatment at as-of; threshold = $duration_limit_days.
with counted as (
    select
        patient_id, episode_no, episode_start,
        greatest(date_diff('day', episode_start, eval_end) + 1, 0) as days,
        coalesce(sum(greatest(date_diff('day', episode_start, eval_end) + 1, 0)) over (
            partition by patient_id order by episode_no rows between unbounded preceding and 1 preceding
        ), 0) as days_before
    from episodes
),
totals as (
    select patient_id, sum(days) as total_days from counted group by patient_id
)
select
    c.patient_id,
    c.episode_start,
    null as test,
    c.episode_start + cast($duration_limit_days - c.days_before as integer) as key_date,
    null as window_start,
    null as window_end,
    t.total_days as value,
    $duration_limit_days as threshold,
    'Azathioprine for ' || t.total_days || ' days in total at ' || strftime($as_of, '%Y-%m-%d')
        || ', past the ' || $duration_limit_days || '-day limit since '
        || strftime(c.episode_start + cast($duration_limit_days - c.days_before as integer), '%Y-%m-%d')
        || ': review continuing azathioprine (malignancy risk).' as detail
from counted c
join totals t using (patient_id)
where t.total_days > $duration_limit_days
  and c.days_before <= $duration_limit_days
  and c.days_before + c.days > $duration_limit_days
