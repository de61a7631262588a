-- rule: LIVER_TOXICITY_ON_TREATMENT
-- title: Raised liver enzymes on treatment
-- why: Azathioprine can injure the liver: raised ALT or AST needs review (SmPC).
-- severity: high
-- current: recent_key
-- population: liver_enzymes_on_treatment
-- fires when: an ALT above $alt_high U/L or an AST above $ast_high U/L in [episode_start, episode_end]
--   (U/L = IU/L; ukat/L x 60; results whose unit cannot be interpreted are never compared).
--   key_date = collected date; test = analyte; value = result (U/L), threshold = limit.
--   Several results of one analyte on one day: one finding, for the highest.
--   A censored result ">x" is above the limit when x >= limit (its true value is over x); "<x" never is.
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
    analyte || ' ' || coalesce(censor, '') || format('{:g}', cast(value as double)) || ' U/L on ' || strftime(collected_date, '%Y-%m-%d') || ' is above '
        || format('{:g}', cast(threshold as double)) || ' U/L during azathioprine (episode started ' || strftime(episode_start, '%Y-%m-%d')
        || '): review the liver tests and the dose.' as detail
from toxicity t
join episodes e
  on e.patient_id = t.patient_id and t.collected_date between e.episode_start and e.episode_end
where t.direction = 'high' and breach
