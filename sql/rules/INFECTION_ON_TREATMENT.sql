-- rule: INFECTION_ON_TREATMENT
-- title: Restarted soon after a serious infection
-- why: Azathioprine should be withheld during serious infection and restarted only after review.
-- severity: critical
-- current: recent_key
-- population: infection_on_treatment
-- requires: events
-- fires when: a serious_infection or sepsis event in [episode_start, episode_end], and an azathioprine
--   prescription starts in [event_date + 1, event_date + $infection_restart_window_days] (RULES.md v2: a
--   prescription issued on the event day itself may predate the event, and is not a restart).
--   key_date = event date; window = [event_date, event_date + $infection_restart_window_days];
--   value = days from the event to the first such prescription, threshold = the window length.
--   Several such events on one day: one finding.
with infections as (
    select
        v.patient_id, e.episode_start, v.event_date,
        case when bool_or(v.event_type = 'sepsis') and bool_or(v.event_type = 'serious_infection')
                 then 'Sepsis and serious infection'
             when bool_or(v.event_type = 'sepsis') then 'Sepsis'
             else 'Serious infection' end as event_label,
        cast(v.event_date + $infection_restart_window_days * interval 1 day as date) as window_end
    from events v
    join episodes e
      on e.patient_id = v.patient_id and v.event_date between e.episode_start and e.episode_end
    where v.event_type in ('serious_infection', 'sepsis')
    group by v.patient_id, e.episode_start, v.event_date
),
restarted as (
    select
        i.*,
        min(a.start_date) as first_start,
        count(*) as prescriptions
    from infections i
    join aza_prescriptions a
      on a.patient_id = i.patient_id and a.start_date between i.event_date + interval 1 day and i.window_end
    group by all
)
select
    patient_id,
    episode_start,
    null as test,
    event_date as key_date,
    event_date as window_start,
    window_end,
    date_diff('day', event_date, first_start) as value,
    $infection_restart_window_days as threshold,
    event_label || ' recorded ' || strftime(event_date, '%Y-%m-%d')
        || ' during azathioprine, yet azathioprine was prescribed on ' || strftime(first_start, '%Y-%m-%d')
        || ' (' || date_diff('day', event_date, first_start) || ' days later'
        || case when prescriptions > 1 then ', ' || prescriptions || ' prescriptions in the '
                || $infection_restart_window_days || ' days' else '' end
        || '): azathioprine should be held until the infection has resolved; review with the patient.'
        as detail
from restarted
