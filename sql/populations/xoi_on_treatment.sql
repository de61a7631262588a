-- Initiated patients with an allopurinol or febuxostat prescription up to as-of: each one is checked against
-- the episodes (one that ended before azathioprine started is evaluated, and not flagged).
select distinct i.patient_id
from initiations i
join xoi_prescriptions x on x.patient_id = i.patient_id
