-- rule: MONITORING_DUE_SOON
-- severity: info
-- population: active_maintenance
-- fires when: an active episode with as_of >= M, per test (CBC, LFT), where $due_soon_after_days <
--   as_of - last point <= $maintenance_max_gap_days; last point as for MONITORING_OVERDUE.
--   key_date = last point; window = [last point, as-of]; value = as_of - last point;
--   threshold = $maintenance_max_gap_days (the limit the test falls due at).
with last_points as (
    select patient_id, episode_start, maintenance_start, test, max(point_date) as last_point
    from maintenance_points
    where is_active and $as_of >= maintenance_start
    group by all
)
select
    patient_id,
    episode_start,
    test,
    last_point as key_date,
    last_point as window_start,
    $as_of as window_end,
    date_diff('day', last_point, $as_of) as value,
    $maintenance_max_gap_days as threshold,
    case test when 'CBC' then 'Full blood count' else 'Liver function tests' end
        || ' due by ' || strftime(last_point + $maintenance_max_gap_days, '%Y-%m-%d') || ': last on '
        || strftime(last_point, '%Y-%m-%d')
        || case when last_point = maintenance_start then ', the start of maintenance monitoring' else '' end
        || ' (' || date_diff('day', last_point, $as_of) || ' days at '
        || strftime($as_of, '%Y-%m-%d') || '; limit ' || $maintenance_max_gap_days
        || ') on azathioprine started ' || strftime(episode_start, '%Y-%m-%d') || ': book the test.' as detail
from last_points
where date_diff('day', last_point, $as_of) > $due_soon_after_days
  and date_diff('day', last_point, $as_of) <= $maintenance_max_gap_days
