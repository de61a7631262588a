-- Type the rows read from the review files (table raw_reviews, all text, written by pipelines/lib/reviews.py)
-- and give each its reasons to be rejected (CONTRACT.md "review files"): stg_reviews keeps every row read.
-- A finding is known when this run or an earlier completed run had it.
create or replace table stg_reviews as
with typed as (
    select
        source, line, raw,
        nullif(trim(finding_id), '') as finding_id,
        lower(nullif(trim(status), '')) as status,
        nullif(trim(note), '') as note,
        nullif(trim(reviewed_by), '') as reviewed_by,
        nullif(trim(reviewed_on), '') as reviewed_on_text,
        nullif(trim(expires_on), '') as expires_on_text,
        try_cast(try_strptime(trim(reviewed_on), '%Y-%m-%d') as date) as reviewed_on,
        try_cast(try_strptime(trim(expires_on), '%Y-%m-%d') as date) as expires_on
    from raw_reviews
)
select
    t.*,
    list_filter([
        case when t.finding_id is null then 'missing finding_id' end,
        case when t.finding_id is not null
              and not exists (select 1 from findings f where f.finding_id = t.finding_id)
              and not exists (select 1 from findings_history h where h.finding_id = t.finding_id)
             then 'unknown finding_id (not in this run''s findings nor an earlier run''s)' end,
        case when t.status is null then 'missing status' end,
        case when t.status is not null and not list_contains($statuses, t.status)
             then 'unknown status (expected one of: ' || array_to_string($statuses, ', ') || ')' end,
        case when t.reviewed_by is null then 'missing reviewed_by' end,
        case when t.reviewed_on_text is null then 'missing reviewed_on' end,
        case when t.reviewed_on_text is not null and (t.reviewed_on is null
                  or t.reviewed_on not between $date_min and $date_max)
             then 'reviewed_on is not a date (YYYY-MM-DD)' end,
        case when t.reviewed_on > $as_of then 'reviewed_on after the as-of date' end,
        case when t.expires_on_text is not null and (t.expires_on is null
                  or t.expires_on not between $date_min and $date_max)
             then 'expires_on is not a date (YYYY-MM-DD)' end,
        case when t.expires_on < t.reviewed_on then 'expires_on before reviewed_on' end
    ], lambda r: r is not null) as reasons,
    sha256(concat_ws(chr(31), t.finding_id, t.status, coalesce(t.note, ''), t.reviewed_by,
                     cast(t.reviewed_on as varchar), coalesce(cast(t.expires_on as varchar), ''))) as review_key
from typed t;
