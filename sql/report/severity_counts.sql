-- Findings and patients per severity.
select severity, count(*) as findings, count(distinct patient_id) as patients
from findings
group by severity
