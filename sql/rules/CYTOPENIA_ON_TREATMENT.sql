-- rule: CYTOPENIA_ON_TREATMENT
-- severity: high
-- population: counts_on_treatment
-- fires when: a result in [episode_start, episode_end] below its limit: WBC $wbc_low, NEUTROPHILS
--   $neutrophils_low, LYMPHOCYTES $lymphocytes_low, PLATELETS $platelets_low (x10^9/L). Only results whose
--   unit converts to 10^9/L (unit_status 'ok'): a percentage or an uninterpretable unit is never compared.
--   key_date = collected date; test = analyte; value = result (10^9/L), threshold = limit.
--   Several results of one analyte on one day: one finding, for the lowest.
with limits(analyte, label) as (
    values ('WBC', 'White cell count'), ('NEUTROPHILS', 'Neutrophil count'),
           ('LYMPHOCYTES', 'Lymphocyte count'), ('PLATELETS', 'Platelet count')
),
results as (
    select
        r.patient_id, e.episode_start, r.analyte, r.collected_date, l.label,
        min(r.value_canonical) as value,
        case r.analyte
            when 'WBC' then $wbc_low
            when 'NEUTROPHILS' then $neutrophils_low
            when 'LYMPHOCYTES' then $lymphocytes_low
            when 'PLATELETS' then $platelets_low
        end as threshold
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
    label || ' ' || format('{:g}', cast(value as double)) || ' x10^9/L on ' || strftime(collected_date, '%Y-%m-%d') || ' is below '
        || format('{:g}', cast(threshold as double)) || ' during azathioprine (episode started ' || strftime(episode_start, '%Y-%m-%d')
        || '): review the dose and repeat the count.' as detail
from results
where value < threshold
