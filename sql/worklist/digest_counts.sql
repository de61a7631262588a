-- The digest's counts (counts only, no patient id): worklist patients and open findings, new critical and
-- high, escalated, waiting for a review, still open after action, exceptions in force and expiring by
-- $month_end, resolved since the previous run.
select
    (select count(*) from worklist_patients),
    count(*) filter (where t.on_worklist),
    count(*) filter (where t.on_worklist and t.state in ('new', 'escalated') and f.severity = 'critical'),
    count(*) filter (where t.on_worklist and t.state in ('new', 'escalated') and f.severity = 'high'),
    count(*) filter (where t.on_worklist and t.state = 'escalated'),
    count(*) filter (where t.on_worklist and t.review_status is null),
    count(*) filter (where t.still_open_after_action),
    count(*) filter (where t.current and t.exception_active),
    count(*) filter (where t.current and t.exception_active and t.review_expires_on between $as_of and $month_end),
    (select count(*) from worklist_resolved)
from findings f join finding_tracking t using (finding_id)
