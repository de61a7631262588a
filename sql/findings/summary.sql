-- Per rule and per site (site_id = 'ALL' for the total): patients evaluated (the rule's population),
-- patients flagged, findings and rate = flagged / evaluated. Rules not evaluated keep one ALL row with
-- empty counts; rule_catalog says why.
create or replace table rule_summary as
with sites as (
    select distinct site_id from patients
),
evaluated_rules as (
    select rule_id from rule_catalog where evaluated
),
population as (
    select r.rule_id, p.site_id, r.patient_id
    from rule_population r join patients p using (patient_id)
),
flagged as (
    select rule_id, site_id, patient_id, count(*) as findings
    from findings group by all
),
per_site as (
    select
        e.rule_id,
        s.site_id,
        (select count(*) from population x where x.rule_id = e.rule_id and x.site_id = s.site_id)
            as patients_evaluated,
        (select count(*) from flagged f where f.rule_id = e.rule_id and f.site_id = s.site_id)
            as patients_flagged,
        (select coalesce(sum(findings), 0) from flagged f where f.rule_id = e.rule_id and f.site_id = s.site_id)
            as findings
    from evaluated_rules e cross join sites s
),
combined as (
    select rule_id, site_id, patients_evaluated, patients_flagged, findings from per_site
    union all
    select rule_id, 'ALL', sum(patients_evaluated), sum(patients_flagged), sum(findings)
    from per_site group by rule_id
    union all
    select rule_id, 'ALL', null, null, null from rule_catalog where not evaluated
)
select
    rule_id, site_id,
    cast(patients_evaluated as bigint) as patients_evaluated,
    cast(patients_flagged as bigint) as patients_flagged,
    cast(findings as bigint) as findings,
    case when patients_evaluated > 0 then round(patients_flagged / patients_evaluated, 4) end as rate
from combined
order by rule_id, site_id = 'ALL' desc, site_id;
