-- One value of the run's bookkeeping, as JSON.
insert or replace into run_meta values ($key, $value)
