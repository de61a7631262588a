-- rule: TPMT_NOT_TESTED
-- title: No TPMT test on record
-- why: TPMT deficiency makes standard doses toxic: the BNF and SmPC ask for TPMT before the first dose.
-- severity: high
-- current: active_patient
-- population: initiated
-- fires when: the patient started azathioprine and has no TPMT result on any date up to as-of.
--   key_date = initiation.
select
    i.patient_id,
    i.initiation_date as episode_start,
    null as test,
    i.initiation_date as key_date,
    null as window_start,
    null as window_end,
    null as value,
    null as threshold,
    'No TPMT result on record (azathioprine started ' || strftime(i.initiation_date, '%Y-%m-%d')
        || '): test TPMT now and review the dose.' as detail
from initiations i
where not exists (
    select 1 from tpmt_results t
    where t.patient_id = i.patient_id and t.collected_date <= $as_of
)
