-- review_status: each finding's review (CONTRACT.md): the latest by reviewed_on, then order of arrival, among
-- the reviews dated on or before as-of. An exception (exception-clinical, exception-declined, not-applicable)
-- counts until expires_on (default reviewed_on + $review_expiry_days): while it counts the finding leaves the
-- worklist and the after-exceptions indicators. `actioned` while the finding is still current more than
-- $escalate_after_days days after the review: "still open after action".
create or replace table review_status as
with latest as (
    select *
    from review_log
    where reviewed_on <= $as_of
    qualify row_number() over (partition by finding_id order by reviewed_on desc, seq desc) = 1
)
select
    l.finding_id, l.status, l.note, l.reviewed_by, l.reviewed_on, l.source,
    coalesce(l.expires_on, l.reviewed_on + $review_expiry_days * interval 1 day)::date as expires_on,
    list_contains($exceptions, l.status)
        and $as_of <= coalesce(l.expires_on, l.reviewed_on + $review_expiry_days * interval 1 day)
        as exception_active,
    list_contains($exceptions, l.status)
        and $as_of > coalesce(l.expires_on, l.reviewed_on + $review_expiry_days * interval 1 day)
        as exception_expired,
    l.status = 'actioned' and coalesce(s.current, false)
        and date_diff('day', l.reviewed_on, $as_of) > $escalate_after_days as still_open_after_action
from latest l
left join finding_status s using (finding_id);
