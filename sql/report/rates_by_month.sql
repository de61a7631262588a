-- Each rule's rate by month of initiation, all sites (sql/measures/30_rule_rates_by_month.sql).
select rule_id, site_id, month, patients_evaluated, patients_flagged from rule_rates_by_month
where site_id = 'ALL' order by rule_id, month
