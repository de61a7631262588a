select * from rule_catalog order by rule_id
