-- Coverage of each dated extract file: the first and last date of its rows (dates from 1900 up to the as-of
-- date; later rows are quarantined), and its rows per month over the 12 months up to as-of, so a file that
-- stopped arriving (late labs) shows. Care-team report only (an extreme date is one patient's).
with dated as (
    select 'prescriptions' as file, start_date as d from stg_prescriptions
    union all
    select 'labs', collected_date from stg_labs
    union all
    select 'events', event_date from stg_events
),
kept as (
    select file, d from dated where d between $date_min and $as_of
),
bounds as (
    select file, min(d) as first_date, max(d) as last_date from kept group by file
),
months as (
    select unnest(generate_series(date_trunc('month', cast($as_of as date)) - interval 11 month,
                                  date_trunc('month', cast($as_of as date)), interval 1 month))::date as month
),
monthly as (
    select file, date_trunc('month', d)::date as month, count(*) as n
    from kept
    where d >= date_trunc('month', cast($as_of as date)) - interval 11 month
    group by all
)
select
    b.file, b.first_date, b.last_date,
    list(coalesce(m2.n, 0) order by m.month) as monthly_rows,
    list(strftime(m.month, '%b %y') order by m.month) as months
from bounds b
cross join months m
left join monthly m2 on m2.file = b.file and m2.month = m.month
group by b.file, b.first_date, b.last_date
order by b.file
