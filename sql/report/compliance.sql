-- Monitoring compliance per month end and site (sql/measures/10_monitoring_compliance.sql).
select month_end, site_id, patients_active, patients_compliant from monitoring_compliance
order by month_end, site_id
