-- The tables that persist across runs (pipelines/lib/history.py). Never dropped by a run.
create table if not exists run_history (
    run_id varchar primary key,
    as_of date not null,
    profile varchar not null,
    started_at timestamp,
    finished_at timestamp,
    status varchar not null,
    out_dir varchar,
    extract_fingerprint varchar
);

create table if not exists findings_history (
    run_id varchar not null,
    as_of date not null,
    finding_id varchar not null,
    rule_id varchar,
    severity varchar,
    patient_id varchar,
    site_id varchar,
    episode_start date,
    test varchar,
    key_date date,
    window_start date,
    window_end date,
    value double,
    threshold double,
    detail varchar
);

create table if not exists indicator_history (
    run_id varchar not null,
    as_of date not null,
    indicator varchar not null,
    site_id varchar not null,
    numerator bigint,
    denominator bigint
);

-- Added in version 2 (RULES.md "Acting on findings"): the classification, first-seen date and review status
-- of each stored finding. A database of an earlier version gains the columns (empty for its old rows).
alter table findings_history add column if not exists current boolean;
alter table findings_history add column if not exists first_seen date;
alter table findings_history add column if not exists review_status varchar;
