-- *Patient-level.* The findings resolved since the previous run, with their reason.
select r.*, c.title
from worklist_resolved r left join rule_catalog c using (rule_id)
order by r.reason, r.rule_id, r.patient_id, r.finding_id
