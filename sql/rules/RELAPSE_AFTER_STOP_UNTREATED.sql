-- rule: RELAPSE_AFTER_STOP_UNTREATED
-- title: Relapse after stopping, not re-treated
-- why: A relapse after stopping asks for prompt re-treatment (the guidance on re-initiation).
-- severity: medium
-- current: recent_relapse
-- population: ended_episode
-- requires: events
-- fires when: a relapse event r after the end of an episode (r in [episode_end + 1, as_of -
--   $relapse_restart_days], and before the next episode's start if there is one), with no azathioprine or
--   preferred DMT prescription starting in [r, r + $relapse_restart_days]: the guidance asks for prompt
--   reinitiation (50-90% relapse within 12 months of stopping). Several relapses on one day: one finding.
--   key_date = r; window = [r, r + $relapse_restart_days]; value = days from the episode's end to r.
with ended as (
    select patient_id, episode_start, episode_end,
           lead(episode_start) over (partition by patient_id order by episode_no) as next_start
    from episodes
),
relapses as (
    select distinct x.patient_id, x.episode_start, x.episode_end, v.event_date as relapse_date
    from ended x
    join events v
      on v.patient_id = x.patient_id and v.event_type = 'relapse'
     and v.event_date between x.episode_end + interval 1 day and $as_of - $relapse_restart_days * interval 1 day
     and (x.next_start is null or v.event_date < x.next_start)
)
select
    r.patient_id,
    r.episode_start,
    null as test,
    r.relapse_date as key_date,
    r.relapse_date as window_start,
    cast(r.relapse_date + $relapse_restart_days * interval 1 day as date) as window_end,
    date_diff('day', r.episode_end, r.relapse_date) as value,
    $relapse_restart_days as threshold,
    'Relapse on ' || strftime(r.relapse_date, '%Y-%m-%d') || ', ' || date_diff('day', r.episode_end, r.relapse_date)
        || ' days after azathioprine stopped (' || strftime(r.episode_end, '%Y-%m-%d')
        || '), with no azathioprine or disease-modifying therapy started in the ' || $relapse_restart_days
        || ' days after it: review treatment.' as detail
from relapses r
where not exists (
    select 1 from aza_prescriptions a
    where a.patient_id = r.patient_id
      and a.start_date between r.relapse_date and r.relapse_date + $relapse_restart_days * interval 1 day
)
and not exists (
    select 1 from dmt_prescriptions d
    where d.patient_id = r.patient_id
      and d.start_date between r.relapse_date and r.relapse_date + $relapse_restart_days * interval 1 day
)
