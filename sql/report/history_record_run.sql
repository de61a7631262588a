-- Register (or update) one run in run_history.
insert or replace into run_history
    (run_id, as_of, profile, started_at, finished_at, status, out_dir, extract_fingerprint)
values
    ($run_id, $as_of, $profile, $started_at, null, $status, $out_dir, $extract_fingerprint);
