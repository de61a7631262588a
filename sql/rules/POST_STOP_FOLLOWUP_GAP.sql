-- rule: POST_STOP_FOLLOWUP_GAP
-- title: Follow-up gap after stopping
-- why: Patients who stop need clinic follow-up for relapse and late effects.
-- severity: medium
-- current: open_window
-- population: stopped
-- requires: events
-- fires when: the patient's last episode is not active; the points are its episode_end and each
--   clinic_visit after it up to as-of (or death, when earlier); two consecutive points p < q (and, last,
--   p to as-of or death) are more than L days apart, where L = $post_stop_gap_first_year_days if
--   p < episode_end + $post_stop_first_year_days, else $post_stop_gap_later_days.
--   key_date = p; window = p to q (or to as-of / death); value = days apart, threshold = L.
with stopped as (
    select patient_id, episode_start, episode_end, death_date, least($as_of, death_date) as end_date
    from episodes
    where is_last and not is_active
),
points as (
    select patient_id, episode_end as p
    from stopped
    where episode_end <= end_date
    union
    select s.patient_id, v.event_date
    from stopped s
    join events v
      on v.patient_id = s.patient_id and v.event_date > s.episode_end and v.event_date <= s.end_date
    where v.event_type = 'clinic_visit'
),
intervals as (
    select
        s.patient_id, s.episode_start, s.episode_end, s.death_date, s.end_date, x.p,
        lead(x.p) over (partition by x.patient_id order by x.p) as next_p
    from points x
    join stopped s using (patient_id)
),
gaps as (
    select *,
        coalesce(next_p, end_date) as q,
        date_diff('day', p, coalesce(next_p, end_date)) as gap_days,
        p < episode_end + $post_stop_first_year_days * interval 1 day as first_year,
        case when p < episode_end + $post_stop_first_year_days * interval 1 day
             then $post_stop_gap_first_year_days else $post_stop_gap_later_days end as max_gap
    from intervals
)
select
    patient_id,
    episode_start,
    null as test,
    p as key_date,
    p as window_start,
    q as window_end,
    gap_days as value,
    max_gap as threshold,
    'No clinic visit from ' || strftime(p, '%Y-%m-%d')
        || case when p = episode_end then ' (azathioprine stopped)' else '' end
        || ' to ' || strftime(q, '%Y-%m-%d')
        || case when next_p is not null then ''
                when death_date is not null and q = death_date then ' (death)'
                else ' (as-of date)' end
        || ': ' || gap_days || ' days, more than the ' || max_gap || ' days expected '
        || case when first_year then 'in the first year' else 'after the first year' end
        || ' after stopping azathioprine on ' || strftime(episode_end, '%Y-%m-%d')
        || case when next_p is null and death_date is not null and q = death_date
                    then '; reviews were missed before the patient died: for case review.'
                when next_p is null then '; arrange a review for relapse now.'
                else '; check relapse follow-up is in place.' end as detail
from gaps
where gap_days > max_gap
