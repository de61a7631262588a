-- The worklist in numbers for worklist.html's header: open findings, new, escalated, current under an exception,
-- open and not reviewed, still open after action, retrospective.
select
    count(*) filter (where on_worklist) as open_findings,
    count(*) filter (where on_worklist and state = 'new') as new_findings,
    count(*) filter (where on_worklist and state = 'escalated') as escalated,
    count(*) filter (where current and exception_active) as exceptions,
    count(*) filter (where on_worklist and review_status is null) as unreviewed,
    count(*) filter (where still_open_after_action) as still_open,
    count(*) filter (where not current) as retrospective
from finding_tracking
