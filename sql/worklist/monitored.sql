-- The profile's monitored test groups, in the order the worklist shows them.
select test, label from monitored_tests order by position
