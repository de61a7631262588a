-- *Patient-level.* The Retrospective sheet: findings that are not current, per rule, oldest first.
select c.title, f.severity, f.patient_id, f.site_id, f.episode_start, f.test, f.key_date, f.detail, f.rule_id,
       f.finding_id
from findings f
join finding_tracking t using (finding_id)
join rule_catalog c using (rule_id)
where not t.current
order by c.title, f.key_date, f.patient_id, f.finding_id
