-- The last rule's and population's scratch tables.
drop table if exists rule_output;
drop table if exists population_output;
