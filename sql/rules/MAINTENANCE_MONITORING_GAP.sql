-- rule: MAINTENANCE_MONITORING_GAP
-- title: Gap in maintenance blood monitoring
-- why: Blood counts and liver tests at least every 3 months for as long as treatment lasts (SmPC, BSR 2017).
-- severity: medium
-- current: never
-- population: maintenance
-- fires when: per episode and monitored test, from M = start + the induction length to E: the clock starts at
--   the latest test in [start, M - 1], else at M; two consecutive points (clock start, then each test in
--   [M, E]) more than $maintenance_max_gap_days apart; for an episode that is not active, also the last
--   point to E when E - last point > $maintenance_max_gap_days (E is never after death).
--   key_date = the earlier point; window = the two points (or last point to E); value = days between them;
--   threshold = $maintenance_max_gap_days. Points come from sql/audit/20_maintenance_points.sql.
with gaps as (
    select
        patient_id, episode_start, maintenance_start, test,
        point_date as gap_start,
        next_point_date as gap_end,
        false as to_episode_end
    from maintenance_points
    where next_point_date is not null
    union all
    select
        patient_id, episode_start, maintenance_start, test,
        point_date,
        eval_end,
        true
    from maintenance_points
    where next_point_date is null and not is_active
)
select
    patient_id,
    episode_start,
    test,
    gap_start as key_date,
    gap_start as window_start,
    gap_end as window_end,
    date_diff('day', gap_start, gap_end) as value,
    $maintenance_max_gap_days as threshold,
    'No ' || (select lower(label) from monitored_tests t where t.test = gaps.test)
        || ' between ' || strftime(gap_start, '%Y-%m-%d')
        || case when gap_start = maintenance_start then ', the start of maintenance monitoring,' else '' end
        || ' and '
        || case when to_episode_end then 'the end of the episode on ' else '' end
        || strftime(gap_end, '%Y-%m-%d')
        || ' (' || date_diff('day', gap_start, gap_end) || ' days; limit ' || $maintenance_max_gap_days
        || ') on the azathioprine course started ' || strftime(episode_start, '%Y-%m-%d')
        || ': review the monitoring schedule.' as detail
from gaps
where date_diff('day', gap_start, gap_end) > $maintenance_max_gap_days
