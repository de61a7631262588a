-- Maintenance monitoring points (RULES.md, MAINTENANCE_MONITORING_GAP, MONITORING_OVERDUE, MONITORING_DUE_SOON),
-- one row per episode, monitored test (the profile's monitored_tests: CBC, LFT[, RENAL]) and point, for every episode that reached its maintenance phase
-- (E >= M, M = maintenance_start, E = eval_end):
--   clock start = the latest test in [episode_start, M - 1], else M;
--   points      = the clock start, then each distinct day with a test in [M, E].
-- next_point_date is the following point of the same episode and test (NULL for the last point).
create or replace table maintenance_points as
with tests as (
    select test from monitored_tests
),
maintenance_episodes as (
    select e.*, t.test
    from episodes e cross join tests t
    where e.eval_end >= e.maintenance_start
),
pre as (  -- the latest test before M, per episode and test (an ASOF join), when it is in the episode
    select m.patient_id, m.episode_no, m.test, b.test_date as pre_date
    from maintenance_episodes m
    asof join blood_tests b
      on b.patient_id = m.patient_id and b.test = m.test and b.test_date < m.maintenance_start
    where b.test_date >= m.episode_start
),
clock as (
    select m.patient_id, m.episode_no, m.test, coalesce(p.pre_date, m.maintenance_start) as point_date,
           true as is_clock_start
    from maintenance_episodes m
    left join pre p using (patient_id, episode_no, test)
),
-- blood_tests holds distinct days per patient and test, and an episode's [M, E] is its own: no duplicates here
later as (
    select m.patient_id, m.episode_no, m.test, b.test_date as point_date, false as is_clock_start
    from maintenance_episodes m
    join blood_tests b
      on b.patient_id = m.patient_id and b.test = m.test
     and b.test_date >= m.maintenance_start and b.test_date <= m.eval_end
),
points as (
    -- a test on M itself (no test before M) is both the clock start and a point: keep it once, as the clock
    -- start (joins instead of grouping tens of millions of points, so memory stays within DuckDB's limit)
    select * from clock
    union all
    select l.*
    from later l
    join clock c using (patient_id, episode_no, test)
    where l.point_date <> c.point_date
)
select
    m.patient_id, m.episode_no, m.episode_start, m.episode_end, m.eval_end, m.is_active,
    m.maintenance_start, m.test, p.point_date, p.is_clock_start,
    lead(p.point_date) over (
        partition by p.patient_id, p.episode_no, p.test order by p.point_date
    ) as next_point_date
from points p
join maintenance_episodes m using (patient_id, episode_no, test);

-- The last point of every active episode and test at as-of, once maintenance has begun (as_of >= M):
-- what MONITORING_OVERDUE and MONITORING_DUE_SOON measure the time since.
create or replace table monitoring_last_points as
select patient_id, episode_start, maintenance_start, test, max(point_date) as last_point
from maintenance_points
where is_active and $as_of >= maintenance_start
group by all;
