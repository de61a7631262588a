-- Headline indicators of the report: one row per indicator and site, site_id = 'ALL' for the total, counted from
-- indicator_patients (sql/report/indicator_patients.sql, which says what each indicator counts).
select
    indicator,
    case when grouping(site_id) = 1 then 'ALL' else site_id end as site_id,
    count(distinct patient_id) filter (where met) as numerator,
    count(distinct patient_id) as denominator,
    count(distinct patient_id) filter (where met and not excepted) as numerator_after,
    count(distinct patient_id) filter (where not excepted) as denominator_after,
    count(distinct patient_id) filter (where excepted) as exceptions
from indicator_patients
group by grouping sets ((indicator, site_id), (indicator))
order by indicator, grouping(site_id) desc, site_id
