-- One rule's line of the catalogue: what ran, what it found, how long it took (sql/findings/00_create.sql).
insert into rule_catalog values ($rule_id, $severity, $population, $requires, $fires_when, $evaluated,
                                 $not_evaluated_reason, $findings, $seconds, $title, $why)
