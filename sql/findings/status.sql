-- finding_status(finding_id, current): RULES.md "Acting on findings" (built with the findings, by the rules
-- runner; first_seen comes from the run history when findings.csv is written). A finding is current (the
-- care team can act on it now) when the patient is alive at as-of and its rule's condition holds; each
-- rule's header names its condition (`-- current: <kind>`, table rule_current, written by the runner):
--   always          it describes the as-of date (MONITORING_OVERDUE, MONITORING_DUE_SOON)
--   active_patient  the patient has an active episode
--   latest_regimen  the finding's window includes the latest assessable regimen (known dose, a weight) of an
--                   active episode (DAILY_DOSE_ABOVE_MAX)
--   xoi_recent      the episode is active and an XOI prescription covers a day in [as_of - $recent_days, as_of]
--   recent_start    the episode is active and started in [as_of - $recent_days, as_of]
--   recent_key      key_date in [as_of - $recent_days, as_of]
--   open_window     the window ends at the as-of date (the gap is still open)
--   recent_relapse  key_date in [as_of - $recent_relapse_days, as_of]
--   never           retrospective: what happened, for the audit meeting
create or replace table finding_status as
with base as (
    select f.finding_id, f.patient_id, f.episode_start, f.key_date, f.window_start, f.window_end, c.current_when,
           p.death_date is null as alive,
           e.is_active as episode_active,
           exists (select 1 from episodes a where a.patient_id = f.patient_id and a.is_active) as patient_active
    from findings f
    join rule_current c using (rule_id)
    join patients p using (patient_id)
    left join episodes e on e.patient_id = f.patient_id and e.episode_start = f.episode_start
)
select
    b.finding_id,
    b.alive and case b.current_when
        when 'always' then true
        when 'active_patient' then b.patient_active
        when 'latest_regimen' then coalesce(b.episode_active, false) and b.window_end = (
            select max(r.regimen_start) from regimens r
            where r.patient_id = b.patient_id and r.episode_start = b.episode_start and r.mg_per_kg is not null)
        when 'xoi_recent' then coalesce(b.episode_active, false) and exists (
            select 1 from xoi_prescriptions x
            where x.patient_id = b.patient_id and x.start_date <= $as_of
              and x.cover_end >= $as_of - $recent_days * interval 1 day)
        when 'recent_start' then coalesce(b.episode_active, false)
            and b.episode_start between $as_of - $recent_days * interval 1 day and $as_of
        when 'recent_key' then b.key_date between $as_of - $recent_days * interval 1 day and $as_of
        when 'open_window' then b.window_end = $as_of
        when 'recent_relapse' then b.key_date between $as_of - $recent_relapse_days * interval 1 day and $as_of
        else false
    end as current
from base b;
