-- The run's findings, the denominators of each rule, and the catalogue of rules run or not evaluated.
create or replace table findings (
    finding_id varchar,
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

create or replace table rule_population (rule_id varchar, patient_id varchar);

create or replace table rule_catalog (
    rule_id varchar,
    severity varchar,
    population varchar,
    requires varchar,
    fires_when varchar,
    evaluated boolean,
    not_evaluated_reason varchar,
    findings bigint,
    seconds double,
    title varchar,
    why varchar
);
