-- A failed run keeps its run_history line (status failed) but none of its findings or indicators.
delete from findings_history where run_id = $run_id;
delete from indicator_history where run_id = $run_id;
