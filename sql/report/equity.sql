-- Equity: the rate indicators by age band at the as-of date and by sex, from indicator_patients
-- (sql/report/indicator_patients.sql). One row per indicator, dimension ('age' or 'sex') and group, with
-- group = 'ALL' for the dimension's total (the indicator's overall figure). Bands: "under $equity_age_under",
-- then $equity_age_band_years-year bands up to "$equity_age_from and over"; no birth date: "age not recorded".
-- Sex as recorded, read as female (F, Female), male (M, Male), or "other or not recorded".
-- $rate_indicators: the indicators shown as rates (pipelines/lib/report/indicators.py).
with ages as (
    select indicator, patient_id, met, birth_date, sex,
           date_part('year', age(cast($as_of as timestamp), cast(birth_date as timestamp))) as age_years
    from indicator_patients
    where indicator in (select unnest($rate_indicators))
),

grouped as (
    select indicator, patient_id, met, 'age' as dimension,
           case
               when age_years is null or age_years < 0 then 'age not recorded'
               when age_years < $equity_age_under then 'under ' || $equity_age_under
               when age_years >= $equity_age_from then $equity_age_from || ' and over'
               else (lower_edge) || '-' || (lower_edge + $equity_age_band_years - 1)
           end as "group",
           case
               when age_years is null or age_years < 0 then 99
               when age_years < $equity_age_under then 0
               when age_years >= $equity_age_from then 98
               else 1 + lower_edge / 1000
           end as position
    from (select *, cast($equity_age_under + $equity_age_band_years
                         * floor((age_years - $equity_age_under) / $equity_age_band_years) as integer) as lower_edge
          from ages)
    union all
    select indicator, patient_id, met, 'sex',
           case lower(trim(coalesce(sex, '')))
               when 'f' then 'female' when 'female' then 'female'
               when 'm' then 'male' when 'male' then 'male'
               else 'other or not recorded'
           end,
           case lower(trim(coalesce(sex, '')))
               when 'f' then 0 when 'female' then 0 when 'm' then 1 when 'male' then 1 else 2
           end
    from ages
)

select
    indicator,
    dimension,
    case when grouping("group") = 1 then 'ALL' else "group" end as "group",
    case when grouping("group") = 1 then 100 else min(position) end as position,
    count(distinct patient_id) filter (where met) as numerator,
    count(distinct patient_id) as denominator
from grouped
group by grouping sets ((indicator, dimension, "group"), (indicator, dimension))
order by indicator, dimension, position, "group"
