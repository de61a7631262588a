-- The review log (CONTRACT.md "review files"): every accepted review, from a review file or from
-- `aza-audit review`, kept across runs. It only grows: a run inserts the reviews it has not seen before (the
-- same review read again from the same folder the next night is recognised by its review_key) and never
-- updates or deletes a row.
create sequence if not exists review_seq start 1;

create table if not exists review_log (
    review_key varchar primary key,  -- sha256 of the review's content (finding, status, note, by, on, expires)
    seq bigint not null,             -- order of arrival: "file order" among reviews of the same day
    source varchar not null,         -- the review file (reviews/<name>[, sheet]) or 'aza-audit review'
    line bigint,                     -- its line (CSV) or row (xlsx) in that file
    finding_id varchar not null,
    status varchar not null,
    note varchar,
    reviewed_by varchar not null,
    reviewed_on date not null,
    expires_on date,
    recorded_at timestamp not null,
    run_id varchar
);
