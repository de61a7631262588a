-- A completed run replaces every other run of the same night: same as_of, profile and extract fingerprint.
create or replace temp table replaced_runs as
select other.run_id
from run_history as this
join run_history as other
  on other.as_of = this.as_of
 and other.profile = this.profile
 and other.extract_fingerprint is not distinct from this.extract_fingerprint
 and other.run_id <> this.run_id
where this.run_id = $run_id;

delete from findings_history where run_id in (select run_id from replaced_runs);

delete from indicator_history where run_id in (select run_id from replaced_runs);

delete from run_history where run_id in (select run_id from replaced_runs);

drop table replaced_runs;
