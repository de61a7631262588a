-- The run's bookkeeping (pipelines/lib/runinfo.py): what each stage learnt about the input (names and
-- counts, never patient data) and how long each stage took. Rebuilt at the start of every run.
create or replace table run_meta (key varchar primary key, value varchar);
create or replace table run_timings (stage varchar primary key, seconds double);
