-- The headline indicators of the run this report compares with.
select indicator, site_id, numerator, denominator from indicator_history where run_id = $run_id
