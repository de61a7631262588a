insert or replace into run_timings values ($stage, $seconds)
