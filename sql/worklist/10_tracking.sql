-- finding_tracking: every finding of this run with what the care team needs to act on it (RULES.md "Acting on
-- findings", CONTRACT.md findings.csv):
--   current        sql/findings/status.sql
--   first_seen     the as-of date of the first completed run that had this finding_id, else this run's
--   item_first_seen  the same over the finding's item: a MONITORING_DUE_SOON and the MONITORING_OVERDUE of
--                  the same patient, episode, test and last test (key_date) are one item that got worse
--   state          new (first seen tonight), escalated (the previous run had the item as due soon, this one
--                  as overdue), persisting; NULL for a finding that is not current
--   days_open      as-of - item_first_seen
--   days_overdue   MONITORING_OVERDUE: days past the date the test was due; POST_STOP_FOLLOWUP_GAP still open:
--                  days past the follow-up limit (threshold); NULL otherwise
--   review_*       the finding's review (sql/reviews/30_status.sql)
--   on_worklist    current and not under an exception that still counts
create or replace table finding_tracking as
with completed as (
    select h.* from findings_history h join run_history r using (run_id)
    where r.status = 'completed' and h.as_of <= $as_of
),
first_seen as (
    select finding_id, min(as_of) as first_seen from completed group by finding_id
),
items as (  -- the monitoring item of each finding of these two rules, in history
    select patient_id, episode_start, test, key_date, min(as_of) as item_first_seen
    from completed
    where rule_id in ('MONITORING_DUE_SOON', 'MONITORING_OVERDUE')
    group by all
),
previous_due_soon as (
    select patient_id, episode_start, test, key_date
    from findings_history
    where run_id = $previous_run_id and rule_id = 'MONITORING_DUE_SOON'
),
base as (
    select
        f.finding_id, f.rule_id, f.severity, f.patient_id, f.site_id, f.episode_start, f.test, f.key_date,
        f.window_end, f.threshold,
        coalesce(s.current, false) as current,
        coalesce(fs.first_seen, cast($as_of as date)) as first_seen,
        least(coalesce(fs.first_seen, cast($as_of as date)),
              coalesce(i.item_first_seen, cast($as_of as date))) as item_first_seen,
        f.rule_id = 'MONITORING_OVERDUE' and exists (
            select 1 from previous_due_soon p
            where p.patient_id = f.patient_id and p.episode_start = f.episode_start and p.test = f.test
              and p.key_date = f.key_date) as escalated
    from findings f
    left join finding_status s using (finding_id)
    left join first_seen fs using (finding_id)
    left join items i on f.rule_id in ('MONITORING_DUE_SOON', 'MONITORING_OVERDUE')
        and i.patient_id = f.patient_id and i.episode_start = f.episode_start and i.test = f.test
        and i.key_date = f.key_date
)
select
    b.finding_id, b.current, b.first_seen, b.item_first_seen,
    case when not b.current then null
         when b.escalated then 'escalated'
         when b.item_first_seen = cast($as_of as date) then 'new'
         else 'persisting' end as state,
    case when b.current then date_diff('day', b.item_first_seen, cast($as_of as date)) end as days_open,
    case
        when b.rule_id = 'MONITORING_OVERDUE' and b.key_date is not null
            then date_diff('day', b.key_date, cast($as_of as date)) - $maintenance_max_gap_days
        when b.rule_id = 'POST_STOP_FOLLOWUP_GAP' and b.window_end = cast($as_of as date) and b.key_date is not null
            then date_diff('day', b.key_date, cast($as_of as date)) - coalesce(cast(b.threshold as integer), 0)
    end as days_overdue,
    r.status as review_status, r.note as review_note, r.reviewed_by, r.reviewed_on,
    r.expires_on as review_expires_on,
    coalesce(r.exception_active, false) as exception_active,
    coalesce(r.exception_expired, false) as exception_expired,
    coalesce(r.still_open_after_action, false) as still_open_after_action,
    b.current and not coalesce(r.exception_active, false) as on_worklist
from base b
left join review_status r using (finding_id);
