-- Toxicity results: the one definition of "a result that breaches its limit", read by
-- CYTOPENIA_ON_TREATMENT, LIVER_TOXICITY_ON_TREATMENT, ABNORMAL_RESULT_NOT_REPEATED and
-- EARLY_DISCONTINUATION (which join it to the episodes). Per patient, analyte and day:
-- counts (WBC $wbc_low, NEUTROPHILS $neutrophils_low, LYMPHOCYTES $lymphocytes_low, PLATELETS
-- $platelets_low x10^9/L) breach below their limit, ALT $alt_high / AST $ast_high U/L above it. Only values
-- whose unit converts (unit_status 'ok': a percentage or an uninterpretable unit is never compared).
-- Censored values count only where their bound settles it: "<x" is below a limit when x <= limit, ">x"
-- is above a limit when x >= limit; "<x" never breaches a high limit nor ">x" a low one.
-- Several results of one analyte on one day: the most extreme (lowest count, highest enzyme).
--   toxicity(patient_id, analyte, label, direction, collected_date, value, censor, threshold, breach): the
--   breaching days only.
create or replace table toxicity_limits(analyte, label, direction, threshold) as
values ('WBC', 'White cell count', 'low', $wbc_low), ('NEUTROPHILS', 'Neutrophil count', 'low', $neutrophils_low),
       ('LYMPHOCYTES', 'Lymphocyte count', 'low', $lymphocytes_low),
       ('PLATELETS', 'Platelet count', 'low', $platelets_low),
       ('ALT', 'ALT', 'high', $alt_high), ('AST', 'AST', 'high', $ast_high);

-- Only the days that breach are kept (every reader asks for `breach`; it stays, always true, so that they read as
-- before): a day breaches when one of its results does, so the results of the breaching days (a small share of
-- millions) are found first, row by row, and only those are grouped by patient, analyte and day.
create or replace table toxicity as
with results as (
    select
        r.patient_id, r.analyte, r.collected_date, r.value_canonical, r.censor,
        case when l.direction = 'low'
             then (r.censor is null and r.value_canonical < l.threshold)
                  or (r.censor = '<' and r.value_canonical <= l.threshold)
             else (r.censor is null and r.value_canonical > l.threshold)
                  or (r.censor = '>' and r.value_canonical >= l.threshold)
        end as breach
    from lab_results r
    join toxicity_limits l using (analyte)
    where r.unit_status = 'ok' and r.value_canonical is not null
),
breach_days as (
    select distinct patient_id, analyte, collected_date from results where coalesce(breach, false)
),
by_day as (
    select
        r.patient_id, r.analyte, r.collected_date,
        min(r.value_canonical) as low_value, max(r.value_canonical) as high_value,
        arg_min(r.censor, r.value_canonical) as low_censor, arg_max(r.censor, r.value_canonical) as high_censor,
        bool_or(r.breach) as breach
    from results r
    semi join breach_days b
      on b.patient_id = r.patient_id and b.analyte = r.analyte and b.collected_date = r.collected_date
    group by r.patient_id, r.analyte, r.collected_date
)
select
    d.patient_id, d.analyte, l.label, l.direction, d.collected_date, l.threshold,
    case when l.direction = 'low' then d.low_value else d.high_value end as value,
    case when l.direction = 'low' then d.low_censor else d.high_censor end as censor,
    d.breach
from by_day d
join toxicity_limits l using (analyte);
