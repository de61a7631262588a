-- Each rule's rate by quarter of initiation, all sites: the months of rule_rates_by_month summed (a patient
-- initiates in one month, so the quarter's cohort is the sum of its months'). What the shareable report draws
-- for a rule whose months are too small to show (pipelines/lib/disclosure). quarter: its last month.
select rule_id, site_id, max(month) as month,
       sum(patients_evaluated) as patients_evaluated, sum(patients_flagged) as patients_flagged
from rule_rates_by_month
where site_id = 'ALL'
group by rule_id, site_id, date_trunc('quarter', month)
order by rule_id, month
