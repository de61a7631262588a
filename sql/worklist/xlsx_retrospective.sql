-- *Patient-level.* The Retrospective sheet: findings that are not current whose key date falls in the $months
-- months to $as_of, per rule, oldest first (the earlier ones: xlsx_retrospective_earlier.sql).
select c.title, f.severity, f.patient_id, f.site_id, f.episode_start, f.test, f.key_date, f.detail, f.rule_id,
       f.finding_id
from findings f
join finding_tracking t using (finding_id)
join rule_catalog c using (rule_id)
where not t.current and f.key_date > $as_of - to_months($months)
order by c.title, f.key_date, f.patient_id, f.finding_id
