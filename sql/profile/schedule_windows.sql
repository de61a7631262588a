-- The profile's induction windows (filled by pipelines/lib/rules.build_schedule_windows), in days from the
-- episode start, both ends included.
create or replace table schedule_windows (window_no integer, start_offset integer, end_offset integer)
