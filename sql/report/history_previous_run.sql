-- The run "changes since the previous run" compares with: the latest completed run, of the same profile
-- (when one is given), that is not the current night, and is either of an earlier as-of date or of the same
-- as-of date on another extract that started before the current run.
select *
from run_history
where status = 'completed'
  and ($run_id is null or run_id <> $run_id)
  and ($profile is null or profile = $profile)
  and (
        as_of < $as_of
     or (
            as_of = $as_of
        and $extract_fingerprint is not null
        and extract_fingerprint is distinct from $extract_fingerprint
        and ($started_at is null or started_at < $started_at)
     )
  )
order by as_of desc, coalesce(finished_at, started_at) desc, started_at desc
limit 1
