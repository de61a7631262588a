delete from indicator_history where run_id = $run_id
