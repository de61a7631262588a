-- New, escalated and resolved findings per rule, this run (findings) against the previous run (findings_history);
-- escalated: a due-soon that became overdue (finding_tracking.state, sql/worklist/10_tracking.sql).
with previous as (
    select finding_id, rule_id from findings_history where run_id = $previous_run_id
),

current_run as (
    select finding_id, rule_id from findings
),

new_findings as (
    select c.rule_id, count(*) as n
    from current_run as c
    where not exists (select 1 from previous as p where p.finding_id = c.finding_id)
    group by c.rule_id
),

escalated as (
    select f.rule_id, count(*) as n
    from findings f join finding_tracking t using (finding_id)
    where t.state = 'escalated'
    group by f.rule_id
),

resolved as (
    select p.rule_id, count(*) as n
    from previous as p
    where not exists (select 1 from current_run as c where c.finding_id = p.finding_id)
    group by p.rule_id
)

select
    coalesce(n.rule_id, r.rule_id) as rule_id,
    coalesce(n.n, 0) as new_findings,
    coalesce(e.n, 0) as escalated_findings,
    coalesce(r.n, 0) as resolved_findings
from new_findings as n
full outer join resolved as r on n.rule_id = r.rule_id
left join escalated as e on e.rule_id = coalesce(n.rule_id, r.rule_id)
order by rule_id
