-- A completed run replaces every other run of the same night: same as_of, profile and extract fingerprint.
delete from findings_history
where run_id in (
    select other.run_id
    from run_history as this
    join run_history as other
      on other.as_of = this.as_of
     and other.profile = this.profile
     and other.extract_fingerprint is not distinct from this.extract_fingerprint
     and other.run_id <> this.run_id
    where this.run_id = $run_id
);

delete from indicator_history
where run_id in (
    select other.run_id
    from run_history as this
    join run_history as other
      on other.as_of = this.as_of
     and other.profile = this.profile
     and other.extract_fingerprint is not distinct from this.extract_fingerprint
     and other.run_id <> this.run_id
    where this.run_id = $run_id
);

delete from run_history
where run_id in (
    select other.run_id
    from run_history as this
    join run_history as other
      on other.as_of = this.as_of
     and other.profile = this.profile
     and other.extract_fingerprint is not distinct from this.extract_fingerprint
     and other.run_id <> this.run_id
    where this.run_id = $run_id
);
