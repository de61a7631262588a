-- *Patient-level.* The Worklist sheet: every worklist row in order of urgency, with its monitored groups
-- (last test, next due) and the reviews of its open findings.
select
    p.*,
    (select list(struct_pack(test := t.test, last_test := t.last_test, next_due := t.next_due) order by t.position)
     from worklist_tests t where t.patient_id = p.patient_id) as tests,
    (select list(struct_pack(status := k.review_status, reviewed_by := k.reviewed_by, reviewed_on := k.reviewed_on)
                 order by k.reviewed_on desc)
     from finding_tracking k join findings f using (finding_id)
     where f.patient_id = p.patient_id and k.on_worklist and k.review_status is not null) as reviews
from worklist_patients p
order by p.urgency
