-- Monitoring compliance (RULES.md, "Measures for the report"): at each month end of the last
-- $compliance_months months up to as-of (the latest month end on or before as-of, and the ones before it),
-- the patients on an active episode at that month end and those of them with a test of every monitored
-- group (the profile's monitored_tests: a CBC and an LFT, and renal function in bsr-2017) in the
-- previous $compliance_lookback_days days, [month_end - $compliance_lookback_days, month_end], both ends
-- included (so a test exactly $compliance_lookback_days days old still counts, as for MONITORING_OVERDUE).
-- "Active" at a month end m is the episodes' definition evaluated at m:
--   episode_start <= m <= episode_end + $episode_gap_days, and the patient has not died on or before m.
-- One row per month end and site (site_id = 'ALL' for the total); rate is NULL when nobody was active.
create or replace table monitoring_compliance as
with last_month_end as (
    select case when last_day($as_of) = $as_of then $as_of
                else cast(date_trunc('month', $as_of) - interval 1 day as date) end as month_end
),
month_ends as (
    select cast(last_day(l.month_end - k * interval 1 month) as date) as month_end
    from last_month_end l, range(0, $compliance_months) r(k)
),
active as (
    select distinct m.month_end, e.patient_id
    from month_ends m
    join episodes e
      on e.episode_start <= m.month_end
     and m.month_end <= e.episode_end + $episode_gap_days * interval 1 day
     and (e.death_date is null or e.death_date > m.month_end)
),
-- A patient is compliant at m when, for every monitored group, the latest test on or before m (an ASOF join:
-- one sorted pass, where a range join would pair each month end with every test) is at most
-- $compliance_lookback_days days old; with no monitored group at all, every active patient is.
latest as (
    select a.month_end, a.patient_id, t.test, b.test_date as last_test
    from active a
    cross join monitored_tests t
    asof left join blood_tests b
      on b.patient_id = a.patient_id and b.test = t.test and b.test_date <= a.month_end
),
assessed as (
    select
        a.month_end, a.patient_id, p.site_id,
        coalesce(c.compliant, true) as compliant
    from active a
    join patients p using (patient_id)
    left join (
        select month_end, patient_id,
               bool_and(coalesce(last_test >= month_end - $compliance_lookback_days * interval 1 day, false))
                   as compliant
        from latest
        group by month_end, patient_id
    ) c on c.month_end = a.month_end and c.patient_id = a.patient_id
),
grid as (
    select m.month_end, s.site_id
    from month_ends m
    cross join (select distinct site_id from patients union select 'ALL') s
),
counted as (
    select
        g.month_end, g.site_id,
        count(x.patient_id) as patients_active,
        count(x.patient_id) filter (where x.compliant) as patients_compliant
    from grid g
    left join assessed x on x.month_end = g.month_end and (g.site_id = 'ALL' or x.site_id = g.site_id)
    group by g.month_end, g.site_id
)
select
    month_end,
    site_id,
    cast(patients_active as bigint) as patients_active,
    cast(patients_compliant as bigint) as patients_compliant,
    case when patients_active > 0 then patients_compliant / patients_active end as rate
from counted
order by month_end, site_id = 'ALL' desc, site_id;
