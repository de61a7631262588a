-- *Patient-level.* The open findings of the patients shown (temp table worklist_shown), most severe first,
-- with their plain-English title, lifecycle state and review.
select
    f.patient_id, f.finding_id, f.rule_id, c.title, c.why, f.severity, f.test, f.key_date, f.window_start,
    f.window_end, f.value, f.threshold, f.detail, t.state, t.first_seen, t.item_first_seen, t.days_open,
    t.days_overdue, t.review_status, t.review_note, t.reviewed_by, t.reviewed_on, t.review_expires_on,
    t.exception_expired, t.still_open_after_action
from findings f
join finding_tracking t using (finding_id)
join rule_catalog c using (rule_id)
join worklist_shown w using (patient_id)
where t.on_worklist
order by w.urgency,
    case f.severity when 'critical' then 1 when 'high' then 2 when 'medium' then 3 when 'low' then 4 else 5 end,
    t.days_overdue desc nulls last, f.rule_id, f.test, f.finding_id
