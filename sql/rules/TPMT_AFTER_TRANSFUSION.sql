-- rule: TPMT_AFTER_TRANSFUSION
-- title: TPMT tested soon after a blood transfusion
-- why: Donor red cells can make a deficient patient look normal for up to 3 months (BNF); repeat or genotype.
-- severity: medium
-- current: active_patient
-- population: tpmt_tested_before_initiation
-- requires: events
-- fires when: the patient has at least one classified TPMT result on or before initiation, all of them
--   normal, and each was collected in [t, t + $transfusion_tpmt_days] of some blood_transfusion event t (each
--   result its own t): donor red cells can make a deficient patient's activity look normal. Repeat the test
--   (or genotype) before relying on it.
--   key_date = the date of the latest such result; window = [its transfusion, the result].
with results as (
    select t.patient_id, t.collected_date, t.phenotype, i.initiation_date,
           (select max(v.event_date) from events v
            where v.patient_id = t.patient_id and v.event_type = 'blood_transfusion'
              and v.event_date between t.collected_date - $transfusion_tpmt_days * interval 1 day
                                   and t.collected_date) as transfusion_date
    from tpmt_results t
    join initiations i on i.patient_id = t.patient_id
    where t.phenotype is not null and t.collected_date <= i.initiation_date
),
patients_affected as (
    select patient_id, any_value(initiation_date) as initiation_date,
           max(collected_date) as result_date,
           arg_max(transfusion_date, collected_date) as transfusion_date
    from results
    group by patient_id
    having bool_and(phenotype = 'normal') and bool_and(transfusion_date is not null)
)
select
    p.patient_id,
    p.initiation_date as episode_start,
    null as test,
    p.result_date as key_date,
    p.transfusion_date as window_start,
    p.result_date as window_end,
    date_diff('day', p.transfusion_date, p.result_date) as value,
    $transfusion_tpmt_days as threshold,
    'TPMT reported normal on ' || strftime(p.result_date, '%Y-%m-%d') || ', '
        || date_diff('day', p.transfusion_date, p.result_date) || ' days after a blood transfusion ('
        || strftime(p.transfusion_date, '%Y-%m-%d') || '): donor red cells can mask deficiency; repeat the '
        || 'test or genotype before relying on it.' as detail
from patients_affected p
