-- rule: TPMT_TESTED_LATE
-- title: TPMT tested only after the first dose
-- why: The BNF and SmPC ask for TPMT activity before azathioprine starts, not after.
-- severity: medium
-- current: never
-- population: initiated
-- fires when: no TPMT result on or before initiation, but one after it (up to as-of).
--   key_date = initiation; window = [initiation, first TPMT date].
with first_tpmt as (
    select patient_id, min(collected_date) as first_tpmt_date
    from tpmt_results
    where collected_date <= $as_of
    group by patient_id
)
select
    i.patient_id,
    i.initiation_date as episode_start,
    null as test,
    i.initiation_date as key_date,
    i.initiation_date as window_start,
    f.first_tpmt_date as window_end,
    date_diff('day', i.initiation_date, f.first_tpmt_date) as value,
    null as threshold,
    'TPMT first tested ' || strftime(f.first_tpmt_date, '%Y-%m-%d') || ', '
        || date_diff('day', i.initiation_date, f.first_tpmt_date)
        || ' days after azathioprine started (' || strftime(i.initiation_date, '%Y-%m-%d')
        || '): TPMT should be known before the first dose.' as detail
from initiations i
join first_tpmt f using (patient_id)
where f.first_tpmt_date > i.initiation_date
