select count(*) from findings
