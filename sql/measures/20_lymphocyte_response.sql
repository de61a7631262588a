-- Lymphocyte response (RULES.md, "Measures for the report"): for each active episode older than
-- $lymphocyte_min_episode_days days (as_of - episode_start > $lymphocyte_min_episode_days), the latest
-- absolute lymphocyte count on treatment (episode_start < collected_date <= as-of) over the baseline, the
-- latest one in the $lymphocyte_baseline_days days before the episode start
-- ([episode_start - $lymphocyte_baseline_days, episode_start]; a count on the start day is baseline).
-- Only counts in 10^9/L (unit_status 'ok': never a percentage); several counts on one day: their mean.
-- in_target: ratio within [$lymphocyte_ratio_low, $lymphocyte_ratio_high], both ends included.
-- Episodes without a baseline, without a count on treatment, or with a zero baseline have no ratio and
-- no row: the share in target is over the episodes whose response can be measured.
create or replace table lymphocyte_response as
with eligible as (
    select e.patient_id, p.site_id, e.episode_start
    from episodes e
    join patients p using (patient_id)
    where e.is_active and date_diff('day', e.episode_start, $as_of) > $lymphocyte_min_episode_days
),
counts as (
    select patient_id, collected_date, avg(value_canonical) as value
    from lab_results
    where analyte = 'LYMPHOCYTES' and unit_status = 'ok' and value_canonical is not null
    group by patient_id, collected_date
),
baseline as (
    select x.patient_id, x.episode_start, max(c.collected_date) as baseline_date,
           arg_max(c.value, c.collected_date) as baseline_value
    from eligible x
    join counts c
      on c.patient_id = x.patient_id
     and c.collected_date between x.episode_start - $lymphocyte_baseline_days * interval 1 day
                              and x.episode_start
    group by x.patient_id, x.episode_start
),
latest as (
    select x.patient_id, x.episode_start, max(c.collected_date) as latest_date,
           arg_max(c.value, c.collected_date) as latest_value
    from eligible x
    join counts c
      on c.patient_id = x.patient_id and c.collected_date > x.episode_start and c.collected_date <= $as_of
    group by x.patient_id, x.episode_start
),
ratios as (
    select
        x.patient_id, x.site_id, x.episode_start,
        b.baseline_date, b.baseline_value, l.latest_date, l.latest_value,
        -- exact(): a ratio of exactly a limit (2.1 / 3.0) is not moved across it by binary rounding
        exact(l.latest_value / b.baseline_value) as ratio
    from eligible x
    join baseline b using (patient_id, episode_start)
    join latest l using (patient_id, episode_start)
    where b.baseline_value > 0
)
select
    patient_id, site_id, episode_start, baseline_date, baseline_value, latest_date, latest_value, ratio,
    ratio between $lymphocyte_ratio_low and $lymphocyte_ratio_high as in_target
from ratios
order by patient_id, episode_start;
