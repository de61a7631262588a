-- report_summary: summary.csv's rows. rule_summary per rule and site (site_id = 'ALL' for the total), plus
-- one row with empty counts for each rule that was not evaluated; `status` (an optional trailing column
-- that CONTRACT.md allows) says which.
create or replace temp view report_summary as
with catalog as (
    select rule_id, evaluated from rule_catalog
),

evaluated_rows as (
    select s.rule_id, s.site_id, s.patients_evaluated, s.patients_flagged, s.findings, s.rate
    from rule_summary as s
    left join catalog as c using (rule_id)
    where coalesce(c.evaluated, true)
),

not_evaluated_rows as (
    select rule_id, 'ALL' as site_id,
           cast(null as bigint) as patients_evaluated, cast(null as bigint) as patients_flagged,
           cast(null as bigint) as findings, cast(null as double) as rate
    from catalog
    where not coalesce(evaluated, true)
)

select rule_id, site_id, patients_evaluated, patients_flagged, findings, rate, 'evaluated' as status
from evaluated_rows
union all
select rule_id, site_id, patients_evaluated, patients_flagged, findings, rate, 'not evaluated' as status
from not_evaluated_rows
order by rule_id, site_id <> 'ALL', site_id
