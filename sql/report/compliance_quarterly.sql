-- Monitoring compliance per calendar quarter and site: the month ends of a quarter pooled (patient-months on an
-- active episode, and of those compliant). What the shareable report draws per site when a site's months are too
-- small to show (pipelines/lib/disclosure). quarter_end: the quarter's last month end in the data.
select max(month_end) as quarter_end, site_id,
       sum(patients_active) as patients_active, sum(patients_compliant) as patients_compliant
from monitoring_compliance
group by date_trunc('quarter', month_end), site_id
order by quarter_end, site_id
