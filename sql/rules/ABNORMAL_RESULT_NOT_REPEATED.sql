-- rule: ABNORMAL_RESULT_NOT_REPEATED
-- title: Abnormal result not repeated
-- why: An abnormal count or liver test should be repeated promptly or treatment stopped (BSR 2017).
-- severity: high
-- current: recent_key
-- population: abnormal_on_treatment
-- fires when: a result that fires CYTOPENIA_ON_TREATMENT or LIVER_TOXICITY_ON_TREATMENT on day d (table
--   toxicity, inside an episode), and neither a result of the same analyte that can itself be held against
--   the limit (a count for a count in 10^9/L, an enzyme in U/L: not a percentage, not a text, not an
--   uninterpretable unit) in [d + 1, d + $abnormal_repeat_days], nor an episode end (its last covered day)
--   in [d, d + $abnormal_repeat_days]. Judged only when as_of >= d + $abnormal_repeat_days and the patient
--   did not die on or before d + $abnormal_repeat_days. Monitoring exists so that an abnormal result is
--   acted on: this closes the loop.
--   key_date = d; test = analyte; window = [d + 1, d + $abnormal_repeat_days]; value = the result,
--   threshold = its limit.
with abnormal as (
    select t.*, e.episode_start, e.death_date,
           cast(t.collected_date + $abnormal_repeat_days * interval 1 day as date) as repeat_by
    from toxicity t
    join episodes e
      on e.patient_id = t.patient_id and t.collected_date between e.episode_start and e.episode_end
    where t.breach
)
select
    a.patient_id,
    a.episode_start,
    a.analyte as test,
    a.collected_date as key_date,
    cast(a.collected_date + interval 1 day as date) as window_start,
    a.repeat_by as window_end,
    a.value,
    a.threshold,
    a.label || ' ' || coalesce(a.censor, '') || format('{:g}', cast(a.value as double))
        || case when a.direction = 'low' then ' x10^9/L' else ' U/L' end || ' on '
        || strftime(a.collected_date, '%Y-%m-%d') || ' was not repeated within ' || $abnormal_repeat_days
        || ' days (by ' || strftime(a.repeat_by, '%Y-%m-%d') || ') and treatment went on: repeat it now.'
        as detail
from abnormal a
where a.repeat_by <= $as_of
  and (a.death_date is null or a.death_date > a.repeat_by)
  and not exists (
      select 1 from lab_results r
      where r.patient_id = a.patient_id and r.analyte = a.analyte
        and r.unit_status = 'ok' and r.value_canonical is not null
        and r.collected_date between a.collected_date + interval 1 day and a.repeat_by
  )
  and not exists (
      select 1 from episodes e
      where e.patient_id = a.patient_id and e.episode_end between a.collected_date and a.repeat_by
  )
