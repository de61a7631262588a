-- rule: CYTOPENIA_ON_TREATMENT
-- title: Low blood count on treatment
-- why: A low white cell, neutrophil, lymphocyte or platelet count can mean myelosuppression (SmPC).
-- severity: high
-- current: recent_key
-- population: counts_on_treatment
-- fires when: a result in [episode_start, episode_end] below its limit: WBC $wbc_low, NEUTROPHILS
--   $neutrophils_low, LYMPHOCYTES $lymphocytes_low, PLATELETS $platelets_low (x10^9/L). Only results whose
--   unit converts to 10^9/L (unit_status 'ok'): a percentage or an uninterpretable unit is never compared.
--   key_date = collected date; test = analyte; value = result (10^9/L), threshold = limit.
--   Several results of one analyte on one day: one finding, for the lowest.
--   A censored result "<x" is below the limit when x <= limit (its true value is under x); ">x" never is.
--   (The breach is computed once, in table toxicity: sql/audit/40_toxicity.sql.)
select
    t.patient_id,
    e.episode_start,
    t.analyte as test,
    collected_date as key_date,
    null as window_start,
    null as window_end,
    value,
    threshold,
    label || ' ' || coalesce(censor, '') || format('{:g}', cast(value as double)) || ' x10^9/L on ' || strftime(collected_date, '%Y-%m-%d') || ' is below '
        || format('{:g}', cast(threshold as double)) || ' during azathioprine (episode started ' || strftime(episode_start, '%Y-%m-%d')
        || '): review the dose and repeat the count.' as detail
from toxicity t
join episodes e
  on e.patient_id = t.patient_id and t.collected_date between e.episode_start and e.episode_end
where t.direction = 'low' and breach
