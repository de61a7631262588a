-- rule: BASELINE_BLOODS_MISSING
-- title: No baseline bloods before starting
-- why: A baseline blood count and liver tests are needed before the first dose (BSR 2017, SmPC).
-- severity: medium
-- current: recent_start
-- population: on_treatment
-- fires when: per episode and monitored test (the profile's monitored_tests): no CBC (resp. LFT) done in
--   [episode_start - $baseline_lookback_days, episode_start].
--   key_date = episode start; test = CBC or LFT; window = the baseline interval.
with tests(test, test_label) as (
    select test, short from monitored_tests
),
expected as (
    select
        e.patient_id, e.episode_start, t.test, t.test_label,
        cast(e.episode_start - $baseline_lookback_days * interval 1 day as date) as window_start
    from episodes e
    cross join tests t
)
select
    x.patient_id,
    x.episode_start,
    x.test,
    x.episode_start as key_date,
    x.window_start,
    x.episode_start as window_end,
    null as value,
    null as threshold,
    'No ' || x.test_label || ' from ' || strftime(x.window_start, '%Y-%m-%d') || ' to '
        || strftime(x.episode_start, '%Y-%m-%d') || ', the ' || $baseline_lookback_days
        || ' days up to the start of azathioprine on ' || strftime(x.episode_start, '%Y-%m-%d')
        || ': record a baseline ' || x.test || ' (or check one was done) so later results can be judged.'
        as detail
from expected x
where not exists (
    select 1 from blood_tests b
    where b.patient_id = x.patient_id
      and b.test = x.test
      and b.test_date between x.window_start and x.episode_start
)
