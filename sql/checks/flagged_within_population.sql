-- (rule, patient) pairs flagged but outside the rule's population (must be 0: rates stay <= 100%).
select count(*) from (select distinct rule_id, patient_id from findings) f
where not exists (select 1 from rule_population r where r.rule_id = f.rule_id and r.patient_id = f.patient_id)
