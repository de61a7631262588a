-- New, escalated and resolved findings per site (site_id = 'ALL' for every site), this run (findings) against
-- the previous run (findings_history); escalated: a due-soon that became overdue (finding_tracking.state).
with previous as (
    select finding_id, coalesce(nullif(site_id, ''), 'UNKNOWN') as site_id
    from findings_history where run_id = $previous_run_id
),

current_run as (
    select f.finding_id, coalesce(nullif(f.site_id, ''), 'UNKNOWN') as site_id, t.state
    from findings f left join finding_tracking t using (finding_id)
),

changes as (
    select c.site_id, 'new' as kind
    from current_run as c
    where not exists (select 1 from previous as p where p.finding_id = c.finding_id)
    union all
    select site_id, 'escalated' from current_run where state = 'escalated'
    union all
    select p.site_id, 'resolved'
    from previous as p
    where not exists (select 1 from current_run as c where c.finding_id = p.finding_id)
),

sites as (
    select distinct site_id from current_run
    union
    select distinct site_id from previous
)

select
    case when grouping(s.site_id) = 1 then 'ALL' else s.site_id end as site_id,
    count(c.kind) filter (where c.kind = 'new') as new_findings,
    count(c.kind) filter (where c.kind = 'escalated') as escalated_findings,
    count(c.kind) filter (where c.kind = 'resolved') as resolved_findings
from sites s left join changes c using (site_id)
group by grouping sets ((s.site_id), ())
order by grouping(s.site_id) desc, site_id
