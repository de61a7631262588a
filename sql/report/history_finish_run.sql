-- Close a run: its status, finish time and output folder.
update run_history
set status = $status,
    finished_at = $finished_at,
    out_dir = coalesce($out_dir, out_dir)
where run_id = $run_id;
