-- rule: CYTOPENIA_ON_TREATMENT
-- severity: high
-- population: counts_on_treatment
-- fires when: a result in [episode_start, episode_end] below its limit: WBC $wbc_low, NEUTROPHILS
--   $neutrophils_low, LYMPHOCYTES $lymphocytes_low, PLATELETS $platelets_low (x10^9/L). Only results whose
--   unit converts to 10^9/L (unit_status 'ok'): a percentage or an uninterpretable unit is never compared.
--   key_date = collected date; test = analyte; value = result (10^9/L), threshold = limit.
--   Several results of one analyte on one day: one finding, for the lowest.
--   A censored result "<x" is below the limit when x <= limit (its true value is under x); ">x" never is.
with limits(analyte, label, threshold) as (
    values ('WBC', 'White cell count', $wbc_low), ('NEUTROPHILS', 'Neutrophil count', $neutrophils_low),
           ('LYMPHOCYTES', 'Lymphocyte count', $lymphocytes_low), ('PLATELETS', 'Platelet count', $platelets_low)
),
results as (
    select
        r.patient_id, e.episode_start, r.analyte, r.collected_date, l.label, l.threshold,
        min(r.value_canonical) as value,
        arg_min(r.censor, r.value_canonical) as censor,
        bool_or((r.censor is null and r.value_canonical < l.threshold)
                or (r.censor = '<' and r.value_canonical <= l.threshold)) as below_limit
    from lab_results r
    join limits l using (analyte)
    join episodes e
      on e.patient_id = r.patient_id and r.collected_date between e.episode_start and e.episode_end
    where r.unit_status = 'ok' and r.value_canonical is not null
    group by all
)
select
    patient_id,
    episode_start,
    analyte as test,
    collected_date as key_date,
    null as window_start,
    null as window_end,
    value,
    threshold,
    label || ' ' || coalesce(censor, '') || format('{:g}', cast(value as double)) || ' x10^9/L on ' || strftime(collected_date, '%Y-%m-%d') || ' is below '
        || format('{:g}', cast(threshold as double)) || ' during azathioprine (episode started ' || strftime(episode_start, '%Y-%m-%d')
        || '): review the dose and repeat the count.' as detail
from results
where below_limit
