-- Findings of the previous run that this run no longer has.
select finding_id
from findings_history
where run_id = $previous_run_id
except
select finding_id
from findings_history
where run_id = $run_id
order by finding_id
