-- *Patient-level.* Retrospective findings (not current) per rule for the care-team report's folded detail:
-- at most $limit per rule (the oldest first; every one is in findings.csv, the last year in worklist.xlsx).
select f.rule_id, f.severity, f.patient_id, f.site_id, f.test, f.key_date, f.detail, f.finding_id,
       count(*) over (partition by f.rule_id) as rule_total
from findings f
join finding_tracking t using (finding_id)
where not t.current
qualify row_number() over (partition by f.rule_id order by f.key_date, f.patient_id, f.finding_id) <= $limit
order by f.rule_id, f.key_date, f.patient_id, f.finding_id
