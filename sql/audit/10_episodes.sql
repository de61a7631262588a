-- Treatment episodes (RULES.md, "Exposure and episodes").
-- Sorted by start date (then prescription_id), a prescription starting more than $episode_gap_days after
-- the last covered day so far opens a new episode. An episode runs from its first start to its last
-- covered day. It is active at as-of when as_of <= episode_end + $episode_gap_days and the patient has not
-- died on or before as-of. Its evaluation end E is as-of when active, else episode_end, never after death.
-- M (maintenance_start) = episode start + the length of the profile's induction schedule.
create or replace table episodes as
with ordered as (
    select
        patient_id, prescription_id, start_date, cover_end,
        max(cover_end) over (
            partition by patient_id order by start_date, prescription_id
            rows between unbounded preceding and 1 preceding
        ) as covered_so_far
    from aza_prescriptions
),
flagged as (
    select *,
        case when covered_so_far is null
               or date_diff('day', covered_so_far, start_date) > $episode_gap_days then 1 else 0 end
            as opens_episode
    from ordered
),
numbered as (
    select *,
        sum(opens_episode) over (
            partition by patient_id order by start_date, prescription_id rows unbounded preceding
        ) as episode_no
    from flagged
),
grouped as (
    select
        patient_id,
        cast(episode_no as integer) as episode_no,
        min(start_date) as episode_start,
        max(cover_end) as episode_end,
        arg_min(prescription_id, start_date::varchar || prescription_id) as first_prescription_id,
        count(*) as prescriptions
    from numbered
    group by patient_id, episode_no
)
select
    g.patient_id,
    g.episode_no,
    g.episode_start,
    g.episode_end,
    ($as_of <= g.episode_end + $episode_gap_days * interval 1 day) and p.death_date is null as is_active,
    least(
        case when ($as_of <= g.episode_end + $episode_gap_days * interval 1 day) and p.death_date is null
             then $as_of else g.episode_end end,
        p.death_date
    ) as eval_end,
    cast(g.episode_start + $maintenance_start_days * interval 1 day as date) as maintenance_start,
    g.first_prescription_id,
    g.prescriptions,
    g.episode_no = max(g.episode_no) over (partition by g.patient_id) as is_last,
    p.death_date
from grouped g
join patients p using (patient_id)
order by g.patient_id, g.episode_no;

-- Initiation: the start of the patient's first episode.
create or replace table initiations as
select patient_id, episode_start as initiation_date, first_prescription_id
from episodes
where episode_no = 1;
