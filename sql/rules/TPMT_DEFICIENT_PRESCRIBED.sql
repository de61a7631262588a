-- rule: TPMT_DEFICIENT_PRESCRIBED
-- title: Azathioprine prescribed despite TPMT deficiency
-- why: Absent TPMT activity risks life-threatening myelosuppression: the SmPC advises against azathioprine.
-- severity: critical
-- current: active_patient
-- population: tpmt_deficient
-- fires when: an azathioprine prescription (one that gives exposure: not cancelled or entered in error)
--   starts on or after the date of a TPMT result classified deficient; once per patient.
--   key_date = start of the first such prescription; window = [first deficient TPMT date, that start].
with first_deficient as (
    select patient_id, min(collected_date) as deficient_date
    from tpmt_results
    where phenotype = 'deficient' and collected_date <= $as_of
    group by patient_id
),
first_after as (
    select
        a.patient_id,
        f.deficient_date,
        arg_min(a.start_date, (a.start_date, a.prescription_id)) as start_date,
        arg_min(a.prescription_id, (a.start_date, a.prescription_id)) as prescription_id
    from aza_prescriptions a
    join first_deficient f
      on f.patient_id = a.patient_id and a.start_date >= f.deficient_date
    where a.start_date <= $as_of
    group by a.patient_id, f.deficient_date
)
select
    x.patient_id,
    e.episode_start,
    null as test,
    x.start_date as key_date,
    x.deficient_date as window_start,
    x.start_date as window_end,
    null as value,
    null as threshold,
    'Azathioprine prescribed on ' || strftime(x.start_date, '%Y-%m-%d') || ' (prescription '
        || x.prescription_id || ') after a TPMT result classified deficient on '
        || strftime(x.deficient_date, '%Y-%m-%d')
        || ': azathioprine is contraindicated when TPMT is deficient; '
        || case when e.is_active then 'stop it and review now.'
                else 'the episode ended on ' || strftime(e.episode_end, '%Y-%m-%d')
                     || ': record why it was given, and do not restart it.' end as detail
from first_after x
join episodes e
  on e.patient_id = x.patient_id and x.start_date between e.episode_start and e.episode_end
