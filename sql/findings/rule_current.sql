-- Each rule's "current when" condition (from its header), filled by the rules runner.
create or replace table rule_current (rule_id varchar primary key, current_when varchar not null)
