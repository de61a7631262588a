select rule_id, title from rule_catalog
