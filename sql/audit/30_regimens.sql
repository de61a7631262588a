-- Regimens (RULES.md "Exposure"): the azathioprine prescriptions of one patient that start on the same day
-- (a dose split across tablet strengths, 100 mg + 25 mg). Its daily dose is the sum of its prescriptions'
-- known daily doses (NULL only when none is known). The weight at its start is the latest weight in
-- [start - $weight_lookback_days, start] (the mean of that day's weights). Dose rules compare regimens.
--   regimens(patient_id, episode_no, episode_start, regimen_start, is_first, prescriptions, daily_dose_mg,
--            weight_date, weight_kg, mg_per_kg)
create or replace table regimens as
with regimen as (
    select
        a.patient_id, a.start_date as regimen_start,
        count(*) as prescriptions,
        sum(a.daily_dose_mg) as daily_dose_mg  -- sum of the known doses; NULL when none is known
    from aza_prescriptions a
    group by a.patient_id, a.start_date
),
in_episode as (
    select r.*, e.episode_no, e.episode_start, r.regimen_start = e.episode_start as is_first
    from regimen r
    join episodes e
      on e.patient_id = r.patient_id and r.regimen_start between e.episode_start and e.episode_end
),
latest_weight as (  -- an ASOF join: the latest weight on or before the start, kept when within the look-back
    select r.patient_id, r.regimen_start, w.collected_date as weight_date
    from (select distinct patient_id, regimen_start from in_episode) r
    asof join weights w
      on w.patient_id = r.patient_id and w.collected_date <= r.regimen_start
    where w.collected_date >= r.regimen_start - $weight_lookback_days * interval 1 day
),
weight as (
    select l.patient_id, l.regimen_start, l.weight_date, avg(w.weight_kg) as weight_kg
    from latest_weight l
    join weights w on w.patient_id = l.patient_id and w.collected_date = l.weight_date
    group by all
)
select
    r.patient_id, r.episode_no, r.episode_start, r.regimen_start, r.is_first, r.prescriptions, r.daily_dose_mg,
    w.weight_date, w.weight_kg,
    -- exact(): a dose exactly at a limit in decimal is not pushed over it by binary rounding (a weight in lb)
    exact(r.daily_dose_mg / w.weight_kg) as mg_per_kg
from in_episode r
left join weight w using (patient_id, regimen_start);

-- TPMT phenotype at each episode start: the most severe classified result on or before it (deficient,
-- then intermediate, then normal), with the date of the latest result of that phenotype.
create or replace table episode_tpmt as
select
    e.patient_id, e.episode_no, e.episode_start,
    arg_max(t.phenotype, case t.phenotype when 'deficient' then 3 when 'intermediate' then 2 else 1 end)
        as phenotype,
    arg_max(t.collected_date, (case t.phenotype when 'deficient' then 3 when 'intermediate' then 2 else 1 end,
                               t.collected_date)) as tpmt_date
from episodes e
join tpmt_results t
  on t.patient_id = e.patient_id and t.collected_date <= e.episode_start and t.phenotype is not null
group by all;
