-- Findings of this run that the previous run did not have.
select finding_id
from findings_history
where run_id = $run_id
except
select finding_id
from findings_history
where run_id = $previous_run_id
order by finding_id
