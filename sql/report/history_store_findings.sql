-- Copy the current findings into findings_history under this run (idempotent for the run), with their
-- classification, first-seen date and review status (finding_tracking, sql/worklist/10_tracking.sql).
-- (A run builds finding_tracking before it stores its findings; without one the three columns stay empty.)
create table if not exists finding_tracking (finding_id varchar, current boolean, first_seen date,
                                             review_status varchar);

delete from findings_history where run_id = $run_id;

insert into findings_history by name
select
    $run_id as run_id,
    cast($as_of as date) as as_of,
    f.finding_id, f.rule_id, f.severity, f.patient_id, f.site_id, f.episode_start, f.test, f.key_date,
    f.window_start, f.window_end, f.value, f.threshold, f.detail,
    t.current, t.first_seen, t.review_status
from findings f
left join finding_tracking t using (finding_id);
