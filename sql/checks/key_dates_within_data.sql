-- Findings whose key date is after the as-of date or before the earliest record (must be 0).
with bounds as (
    select least(
        (select min(start_date) from stg_prescriptions),
        (select min(collected_date) from stg_labs),
        (select min(event_date) from stg_events)) as earliest
)
select count(*) from findings, bounds
where key_date is not null and (key_date > $as_of or key_date < earliest)
