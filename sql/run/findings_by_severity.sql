select severity, count(*) from findings group by severity order by severity
