insert into rule_current values ($rule_id, $current_when)
