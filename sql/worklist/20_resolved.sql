-- worklist_resolved: the findings that were current in the previous run and are not current now, each with
-- the first reason that holds (RULES.md "Acting on findings"): died; treatment stopped (the finding's episode,
-- or every episode, ended); test done (a monitoring finding's group, or TPMT, tested after its key date);
-- no longer current (the finding is still there but now retrospective); data changed (it is gone).
-- A due-soon that became overdue is not resolved: it escalated (finding_tracking).
create or replace table worklist_resolved as
with previous as (
    select * from findings_history
    where run_id = $previous_run_id and coalesce(current, false)
),
now_current as (
    select finding_id from finding_tracking where current
)
select
    p.finding_id, p.rule_id, p.severity, p.patient_id, p.site_id, p.test, p.key_date,
    case
        when pt.death_date is not null and pt.death_date <= $as_of then 'died'
        when pt.patient_id is not null and (
                not exists (select 1 from episodes e where e.patient_id = p.patient_id and e.is_active)
                or exists (select 1 from episodes e where e.patient_id = p.patient_id
                           and e.episode_start = p.episode_start and not e.is_active))
            then 'treatment stopped'
        when p.rule_id in ('MONITORING_OVERDUE', 'MONITORING_DUE_SOON', 'INDUCTION_MONITORING_GAP',
                           'BASELINE_BLOODS_MISSING')
             and exists (select 1 from blood_tests b where b.patient_id = p.patient_id and b.test = p.test
                         and b.test_date > p.key_date and b.test_date <= $as_of)
            then 'test done'
        when p.rule_id in ('TPMT_NOT_TESTED', 'TPMT_AFTER_TRANSFUSION')
             and exists (select 1 from tpmt_results t where t.patient_id = p.patient_id
                         and t.collected_date > p.as_of and t.collected_date <= $as_of)
            then 'test done'
        when exists (select 1 from findings f where f.finding_id = p.finding_id) then 'no longer current'
        else 'data changed'
    end as reason
from previous p
left join patients pt using (patient_id)
where p.finding_id not in (select finding_id from now_current)
  and not (p.rule_id = 'MONITORING_DUE_SOON' and exists (
      select 1 from findings f join finding_tracking t using (finding_id)
      where t.state = 'escalated' and f.patient_id = p.patient_id and f.episode_start = p.episode_start
        and f.test = p.test and f.key_date = p.key_date));
