-- Copy the current findings into findings_history under this run (idempotent for the run).
delete from findings_history where run_id = $run_id;

insert into findings_history
select
    $run_id as run_id,
    cast($as_of as date) as as_of,
    finding_id, rule_id, severity, patient_id, site_id, episode_start, test, key_date,
    window_start, window_end, value, threshold, detail
from findings;
