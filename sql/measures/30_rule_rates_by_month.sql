-- Rule rates by month of initiation, for run charts (RULES.md, "Measures for the report"): for every
-- evaluated rule whose population is fixed by the patient's course (every rule except those about the state
-- at as-of, population active_maintenance: their series comes from run history), per site and per month
-- in which the patient started azathioprine, over the last $compliance_months months up to as-of:
-- patients evaluated and patients flagged. site_id = 'ALL' for the total.
create or replace table rule_rates_by_month as
with cohort as (
    select r.rule_id, p.site_id, r.patient_id, cast(date_trunc('month', i.initiation_date) as date) as month
    from rule_population r
    join rule_catalog c on c.rule_id = r.rule_id and c.evaluated and c.population <> 'active_maintenance'
    join patients p on p.patient_id = r.patient_id
    join initiations i on i.patient_id = r.patient_id
    where i.initiation_date > cast($as_of - $compliance_months * interval 1 month as date)
),
flagged as (
    select distinct rule_id, patient_id from findings
),
per_site as (
    select c.rule_id, c.site_id, c.month, count(*) as patients_evaluated, count(f.patient_id) as patients_flagged
    from cohort c
    left join flagged f on f.rule_id = c.rule_id and f.patient_id = c.patient_id
    group by all
)
select rule_id, site_id, month, patients_evaluated, patients_flagged
from per_site
union all
select rule_id, 'ALL', month, sum(patients_evaluated), sum(patients_flagged)
from per_site
group by all
order by rule_id, site_id, month;
