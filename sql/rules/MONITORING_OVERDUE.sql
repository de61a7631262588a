-- rule: MONITORING_OVERDUE
-- title: Blood monitoring overdue
-- why: Blood counts and liver tests at least every 3 months for as long as treatment lasts (SmPC, BSR 2017).
-- severity: high
-- current: always
-- population: active_maintenance
-- fires when: an active episode with as_of >= M, per monitored test, where as_of - last point >
--   $maintenance_max_gap_days; last point = the latest of the clock start (latest test in [start, M - 1],
--   else M) and the tests in [M, as-of] (table monitoring_last_points, sql/audit/20_maintenance_points.sql).
--   A dead patient has no active episode.
--   key_date = last point; window = [last point, as-of]; value = as_of - last point;
--   threshold = $maintenance_max_gap_days.
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
        || ' overdue: none since ' || strftime(last_point, '%Y-%m-%d')
        || case when last_point = maintenance_start then ', the start of maintenance monitoring' else '' end
        || ' ('
        || date_diff('day', last_point, $as_of) || ' days at ' || strftime($as_of, '%Y-%m-%d')
        || '; limit ' || $maintenance_max_gap_days || ') on azathioprine started '
        || strftime(episode_start, '%Y-%m-%d') || ': arrange the test now.' as detail
from monitoring_last_points
where date_diff('day', last_point, $as_of) > $maintenance_max_gap_days
