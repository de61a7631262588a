-- Toxicity results: the one definition of "a result that breaches its limit", read by
-- CYTOPENIA_ON_TREATMENT, LIVER_TOXICITY_ON_TREATMENT, ABNORMAL_RESULT_NOT_REPEATED and
-- EARLY_DISCONTINUATION (which join it to the episodes). Per patient, analyte and day:
-- counts (WBC $wbc_low, NEUTROPHILS $neutrophils_low, LYMPHOCYTES $lymphocytes_low, PLATELETS
-- $platelets_low x10^9/L) breach below their limit, ALT $alt_high / AST $ast_high U/L above it. Only values
-- whose unit converts (unit_status 'ok': a percentage or an uninterpretable unit is never compared).
-- Censored values count only where their bound settles it: "<x" is below a limit when x <= limit, ">x"
-- is above a limit when x >= limit; "<x" never breaches a high limit nor ">x" a low one.
-- Several results of one analyte on one day: the most extreme (lowest count, highest enzyme).
--   toxicity(patient_id, analyte, label, direction, collected_date, value, censor, threshold, breach)
create or replace table toxicity_limits(analyte, label, direction, threshold) as
values ('WBC', 'White cell count', 'low', $wbc_low), ('NEUTROPHILS', 'Neutrophil count', 'low', $neutrophils_low),
       ('LYMPHOCYTES', 'Lymphocyte count', 'low', $lymphocytes_low),
       ('PLATELETS', 'Platelet count', 'low', $platelets_low),
       ('ALT', 'ALT', 'high', $alt_high), ('AST', 'AST', 'high', $ast_high);

create or replace table toxicity as
select
    r.patient_id, r.analyte, l.label, l.direction,
    r.collected_date, l.threshold,
    case when l.direction = 'low' then min(r.value_canonical) else max(r.value_canonical) end as value,
    case when l.direction = 'low' then arg_min(r.censor, r.value_canonical)
         else arg_max(r.censor, r.value_canonical) end as censor,
    bool_or(case when l.direction = 'low'
                 then (r.censor is null and r.value_canonical < l.threshold)
                      or (r.censor = '<' and r.value_canonical <= l.threshold)
                 else (r.censor is null and r.value_canonical > l.threshold)
                      or (r.censor = '>' and r.value_canonical >= l.threshold) end) as breach
from lab_results r
join toxicity_limits l using (analyte)
where r.unit_status = 'ok' and r.value_canonical is not null
group by r.patient_id, r.analyte, l.label, l.direction, r.collected_date, l.threshold;
