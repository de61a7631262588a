-- How many findings the run has.
select count(*) from findings
