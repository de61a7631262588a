-- Append one rule's denominator (temp table population_output: patient_id) to rule_population.
insert into rule_population
select distinct $rule_id, patient_id from population_output;
