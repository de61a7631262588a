select count(*) from findings_history where run_id = $run_id
