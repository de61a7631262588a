-- The worklist in numbers, for the care-team report's pointer to worklist.html.
select
    (select count(*) from worklist_patients) as patients,
    count(*) filter (where on_worklist) as open_findings,
    count(*) filter (where on_worklist and state = 'new') as new,
    count(*) filter (where on_worklist and state = 'escalated') as escalated,
    count(*) filter (where current and exception_active) as exceptions,
    count(*) filter (where not current) as retrospective
from finding_tracking
