-- *Patient-level.* The Review sheet: one row per finding on the worklist, in the worklist's order.
select
    f.patient_id, f.site_id, f.severity, c.title, f.test, f.key_date, f.detail, f.finding_id,
    t.state, t.days_open, t.review_status, t.reviewed_by, t.reviewed_on, t.still_open_after_action
from findings f
join finding_tracking t using (finding_id)
join rule_catalog c using (rule_id)
join worklist_patients p using (patient_id)
where t.on_worklist
order by p.urgency,
    case f.severity when 'critical' then 1 when 'high' then 2 when 'medium' then 3 when 'low' then 4 else 5 end,
    t.days_overdue desc nulls last, f.rule_id, f.test, f.finding_id
