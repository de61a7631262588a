-- Sizes of the measure tables (asset metadata).
select (select count(distinct month_end) from monitoring_compliance),
       (select count(*) from lymphocyte_response),
       (select count(distinct month) from rule_rates_by_month)
