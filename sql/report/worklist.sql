-- The worklist: findings to act on, most severe first, then oldest key date first.
-- days_overdue (NULL where it has no meaning):
--   MONITORING_OVERDUE: as-of - (last test + maintenance_max_gap_days), days past the date the test was due;
--   POST_STOP_FOLLOWUP_GAP still open at as-of (window_end = as-of): as-of - (key_date + threshold) when the
--     rule gives its limit as threshold, else as-of - key_date;
--   TPMT_NOT_TESTED: as-of - initiation (the test was due before the first dose).
-- is_new: not in the previous run's findings (false when there is no previous run).
-- $severity NULL = every severity; $limit NULL = no limit.
select
    f.finding_id, f.rule_id, f.severity, f.patient_id, f.site_id, f.episode_start, f.test, f.key_date,
    f.window_start, f.window_end, f.value, f.threshold, f.detail,
    case f.severity
        when 'critical' then 1 when 'high' then 2 when 'medium' then 3 when 'low' then 4 when 'info' then 5
        else 6
    end as severity_rank,
    case
        when f.rule_id = 'MONITORING_OVERDUE' and f.key_date is not null
            then date_diff('day', f.key_date, cast($as_of as date)) - $maintenance_max_gap_days
        when f.rule_id = 'POST_STOP_FOLLOWUP_GAP' and f.window_end = cast($as_of as date) and f.key_date is not null
            then date_diff('day', f.key_date, cast($as_of as date)) - coalesce(cast(f.threshold as integer), 0)
        when f.rule_id = 'TPMT_NOT_TESTED' and f.key_date is not null
            then date_diff('day', f.key_date, cast($as_of as date))
    end as days_overdue,
    (
        $previous_run_id is not null
        and not exists (
            select 1 from findings_history as h
            where h.run_id = $previous_run_id and h.finding_id = f.finding_id
        )
    ) as is_new
from findings as f
where $severity is null or f.severity = $severity
order by severity_rank, f.key_date nulls last, f.patient_id, f.rule_id, f.finding_id
limit $limit
