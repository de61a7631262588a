-- rule: MONITORING_DUE_SOON
-- title: Blood monitoring due soon
-- why: Booking the next test before it is late keeps monitoring within the 3-month interval.
-- severity: info
-- current: always
-- population: active_maintenance
-- fires when: an active episode with as_of >= M, per monitored test, where $due_soon_after_days <
--   as_of - last point <= $maintenance_max_gap_days; last point as for MONITORING_OVERDUE
--   (table monitoring_last_points, sql/audit/20_maintenance_points.sql).
--   key_date = last point; window = [last point, as-of]; value = as_of - last point;
--   threshold = $maintenance_max_gap_days (the limit the test falls due at).
select
    patient_id,
    episode_start,
    test,
    last_point as key_date,
    last_point as window_start,
    $as_of as window_end,
    date_diff('day', last_point, $as_of) as value,
    $maintenance_max_gap_days as threshold,
    (select label from monitored_tests t where t.test = monitoring_last_points.test)
        || ' due by ' || strftime(last_point + $maintenance_max_gap_days, '%Y-%m-%d') || ': last on '
        || strftime(last_point, '%Y-%m-%d')
        || case when last_point = maintenance_start then ', the start of maintenance monitoring' else '' end
        || ' (' || date_diff('day', last_point, $as_of) || ' days at '
        || strftime($as_of, '%Y-%m-%d') || '; limit ' || $maintenance_max_gap_days
        || ') on azathioprine started ' || strftime(episode_start, '%Y-%m-%d') || ': book the test.' as detail
from monitoring_last_points
where date_diff('day', last_point, $as_of) > $due_soon_after_days
  and date_diff('day', last_point, $as_of) <= $maintenance_max_gap_days
