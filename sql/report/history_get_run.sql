select * from run_history where run_id = $run_id
