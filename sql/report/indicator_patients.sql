-- Headline indicators of the report, per patient: one row per indicator and patient of its denominator, with
-- whether the patient meets it, the site, and whether an exception takes the patient out. sql/report/indicators.sql
-- counts them per site, sql/report/equity.sql per age band and sex.
-- numerator / denominator are patients. The indicators (docs in pipelines/lib/report/indicators.py):
--   active_episode          patients on an active episode at as-of / patients ever treated
--   new_starts_12m          patients whose first episode started in the 12 months up to as-of / ever treated
--   tpmt_before_initiation  initiated patients with a TPMT result on or before initiation
--                           (not flagged TPMT_NOT_TESTED nor TPMT_TESTED_LATE) / TPMT_NOT_TESTED population
--   induction_complete      patients of the INDUCTION_MONITORING_GAP population with no such finding
--   monitoring_up_to_date   patients of the MONITORING_OVERDUE population not flagged overdue
--   over_600g               patients flagged CUMULATIVE_DOSE_OVER_LIMIT / that rule's population
--   over_10_years           patients flagged TREATMENT_DURATION_OVER_LIMIT / that rule's population
--   critical_findings       patients with at least one critical finding / patients ever treated
--   lymphocyte_in_target    active episodes with a lymphocyte ratio in target / episodes measured
-- Each indicator is also given after exceptions (CONTRACT.md review files): a patient with an exception in
-- force (exception-clinical, exception-declined, not-applicable) on a finding of one of the indicator's rules
-- (critical_findings: on a critical finding) leaves its numerator and denominator; `exceptions` counts them,
-- so an exception can never hide a problem unseen. finding_tracking: sql/worklist/10_tracking.sql.
create or replace temp table indicator_patients as
with excepted_findings as (
    select f.rule_id, f.patient_id, f.severity
    from findings f join finding_tracking t using (finding_id)
    where t.exception_active
),

-- $indicator_rules: (indicator, rule_id) pairs of pipelines/lib/report/indicators.py RULE_LINKS
indicator_rules as (
    select unnest($indicator_rules, recursive := true)
),

excepted as (
    select distinct i.indicator, x.patient_id
    from excepted_findings x join indicator_rules i using (rule_id)
    union
    select distinct 'critical_findings', patient_id from excepted_findings where severity = 'critical'
),

site as (
    select patient_id, coalesce(nullif(site_id, ''), 'UNKNOWN') as site_id, birth_date, sex
    from patients
),

treated as (
    select patient_id, min(episode_start) as initiation, bool_or(is_active) as active
    from episodes
    group by patient_id
),

flagged as (
    select distinct rule_id, patient_id
    from findings
),

population as (
    select distinct rule_id, patient_id
    from rule_population
),

-- indicators that are one rule's population, met when the patient is (or is not) flagged by it
rule_indicators(indicator, rule_id, met_when_flagged) as (
    values ('induction_complete', 'INDUCTION_MONITORING_GAP', false),
           ('monitoring_up_to_date', 'MONITORING_OVERDUE', false),
           ('over_600g', 'CUMULATIVE_DOSE_OVER_LIMIT', true),
           ('over_10_years', 'TREATMENT_DURATION_OVER_LIMIT', true)
),

per_patient as (
    select 'active_episode' as indicator, patient_id, coalesce(active, false) as met
    from treated

    union all
    select 'new_starts_12m', patient_id,
           initiation > cast($as_of as date) - interval 12 month and initiation <= cast($as_of as date)
    from treated

    union all
    select 'tpmt_before_initiation', p.patient_id,
           not exists (
               select 1 from flagged as f
               where f.patient_id = p.patient_id and f.rule_id in ('TPMT_NOT_TESTED', 'TPMT_TESTED_LATE')
           )
    from population as p
    where p.rule_id = 'TPMT_NOT_TESTED'

    union all
    select i.indicator, p.patient_id, (f.patient_id is not null) = i.met_when_flagged
    from rule_indicators as i
    join population as p on p.rule_id = i.rule_id
    left join flagged as f on f.rule_id = i.rule_id and f.patient_id = p.patient_id

    union all
    select 'critical_findings', t.patient_id,
           exists (select 1 from findings as f where f.patient_id = t.patient_id and f.severity = 'critical')
    from treated as t

    union all
    select 'lymphocyte_in_target', patient_id, coalesce(in_target, false)
    from lymphocyte_response
),

with_site as (
    select pp.indicator, pp.patient_id, pp.met, coalesce(s.site_id, 'UNKNOWN') as site_id,
           x.patient_id is not null as excepted, s.birth_date, s.sex
    from per_patient as pp
    left join site as s using (patient_id)
    left join excepted as x on x.indicator = pp.indicator and x.patient_id = pp.patient_id
)
select * from with_site;
