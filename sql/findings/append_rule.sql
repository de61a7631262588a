-- Append one rule's output (temp table rule_output, written by the rule's file) to findings.
-- finding_id: first 16 hex digits of sha256(rule_id|patient_id|test|key_date): the same finding gets
-- the same id in every run.
insert into findings
select
    substr(sha256(concat_ws('|', $rule_id, o.patient_id, coalesce(o.test, ''),
                            coalesce(cast(o.key_date as varchar), ''))), 1, 16) as finding_id,
    $rule_id as rule_id,
    $severity as severity,
    o.patient_id,
    p.site_id,
    cast(o.episode_start as date),
    o.test,
    cast(o.key_date as date),
    cast(o.window_start as date),
    cast(o.window_end as date),
    cast(o.value as double),
    cast(o.threshold as double),
    o.detail
from rule_output o
join patients p using (patient_id);
