-- *Patient-level.* The worklist rows (worklist_patients, sql/worklist/30_patients.sql), most urgent first;
-- $limit NULL = every row.
select * from worklist_patients order by urgency limit $limit
