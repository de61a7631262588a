-- The findings that are not current and not on the Retrospective sheet (key date $months months or more before
-- $as_of, or none): a count for the workbook's Summary; they are in findings.csv.
select count(*)
from findings f
join finding_tracking t using (finding_id)
where not t.current and not coalesce(f.key_date > $as_of - to_months($months), false)
