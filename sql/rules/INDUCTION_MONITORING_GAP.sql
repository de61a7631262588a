-- rule: INDUCTION_MONITORING_GAP
-- title: Missed weekly bloods in the first weeks
-- why: Myelosuppression is most common early: the SmPC asks for weekly blood counts at first.
-- severity: medium
-- current: recent_start
-- population: induction_due
-- fires when: for each episode, each induction window of the profile (schedule_windows; default weeks
--   k = 1..4: [start + 7(k-1), start + 7k - 1]) and each monitored test (the profile's monitored_tests): no test done inside the window.
--   Only windows with window_end < as-of and window_start <= episode_end. Nothing is expected of a patient
--   after death: windows that had not ended before the death date (window_end >= death_date) are skipped.
--   key_date = window_start; window = the induction window; no value or threshold (the detail names the
--   window's number in the profile's schedule).
with tests as (
    select test, lower(label) as test_label from monitored_tests
),
window_count as (
    select count(*) as windows from schedule_windows
),
windows as (
    select
        e.patient_id, e.episode_start, t.test, t.test_label, w.window_no,
        e.episode_start + w.start_offset as window_start,
        e.episode_start + w.end_offset as window_end
    from episodes e
    cross join schedule_windows w
    cross join tests t
    where e.episode_start + w.end_offset < $as_of
      and e.episode_start + w.start_offset <= e.episode_end
      and (e.death_date is null or e.episode_start + w.end_offset < e.death_date)
)
select
    w.patient_id,
    w.episode_start,
    w.test,
    w.window_start as key_date,
    w.window_start,
    w.window_end,
    null as value,
    null as threshold,
    'No ' || w.test_label
        || ' between ' || strftime(w.window_start, '%Y-%m-%d') || ' and ' || strftime(w.window_end, '%Y-%m-%d')
        || ' (induction window ' || w.window_no || ' of ' || c.windows || ' after azathioprine started '
        || strftime(w.episode_start, '%Y-%m-%d') || '): check the results were done and review the patient.'
        as detail
from windows w
cross join window_count c
where not exists (
    select 1 from blood_tests b
    where b.patient_id = w.patient_id and b.test = w.test
      and b.test_date between w.window_start and w.window_end
)
