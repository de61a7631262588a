-- rule: XOI_COPRESCRIBED
-- title: Allopurinol or febuxostat with azathioprine
-- why: Xanthine oxidase inhibitors block azathioprine's breakdown: the dose must be cut to a quarter (SmPC, MHRA).
-- severity: high
-- current: xoi_recent
-- population: xoi_on_treatment
-- fires when: an allopurinol or febuxostat prescription's covered interval overlaps an episode; once per
--   episode, at the first overlap day F. value = the daily dose of the latest regimen starting on or before
--   F; threshold = $xoi_max_dose_fraction of the latest regimen dose starting before F, or, when the episode
--   starts inside the overlap (an XOI prescription covers the episode start), $xoi_max_dose_fraction x
--   $max_mg_per_kg_day x the weight at the episode start (no weight: no threshold, and it fires). An
--   unknown value fires too (the dose could not be assessed). Does not fire when value <= threshold:
--   xanthine oxidase inhibitors block azathioprine's breakdown (life-threatening marrow toxicity).
--   key_date = F; window = [F, the last overlap day].
with overlap as (
    select e.patient_id, e.episode_no, e.episode_start,
           min(greatest(x.start_date, e.episode_start)) as first_day,
           max(least(x.cover_end, e.episode_end)) as last_day,
           bool_or(x.start_date <= e.episode_start and x.cover_end >= e.episode_start) as starts_inside,
           arg_min(x.drug, greatest(x.start_date, e.episode_start)) as drug
    from episodes e
    join xoi_prescriptions x
      on x.patient_id = e.patient_id and x.start_date <= e.episode_end and x.cover_end >= e.episode_start
    group by all
),
assessed as (
    select o.*,
        (select arg_max(r.daily_dose_mg, r.regimen_start) from regimens r
         where r.patient_id = o.patient_id and r.episode_no = o.episode_no and r.regimen_start <= o.first_day
           and r.regimen_start = (select max(q.regimen_start) from regimens q
                                  where q.patient_id = o.patient_id and q.episode_no = o.episode_no
                                    and q.regimen_start <= o.first_day)) as value,
        case when o.starts_inside then
            (select $xoi_max_dose_fraction * $max_mg_per_kg_day * r.weight_kg from regimens r
             where r.patient_id = o.patient_id and r.episode_no = o.episode_no and r.is_first)
        else
            (select $xoi_max_dose_fraction * r.daily_dose_mg from regimens r
             where r.patient_id = o.patient_id and r.episode_no = o.episode_no
               and r.regimen_start = (select max(q.regimen_start) from regimens q
                                      where q.patient_id = o.patient_id and q.episode_no = o.episode_no
                                        and q.regimen_start < o.first_day))
        end as threshold
    from overlap o
)
select
    a.patient_id,
    a.episode_start,
    null as test,
    a.first_day as key_date,
    a.first_day as window_start,
    a.last_day as window_end,
    a.value,
    exact(a.threshold) as threshold,
    'Xanthine oxidase inhibitor (' || a.drug || ') prescribed with azathioprine from ' || strftime(a.first_day, '%Y-%m-%d') || ': '
        || case when a.value is null then 'the azathioprine dose could not be assessed'
                else 'azathioprine ' || format('{:g}', round(a.value, 1)) || ' mg/day' end
        || case when a.threshold is null then ' (no weight to set the reduced dose)'
                else ', more than the ' || format('{:g}', round(a.threshold, 1)) || ' mg/day allowed with it' end
        || ': reduce the azathioprine dose or stop the xanthine oxidase inhibitor.' as detail
from assessed a
where a.value is null or a.threshold is null or exact(a.value) > exact(a.threshold)
