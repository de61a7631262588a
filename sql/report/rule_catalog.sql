-- Every rule of the run: severity, population, requirement, fires-when text, evaluated or why not.
select * from rule_catalog order by rule_id
