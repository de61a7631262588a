-- Events (optional file; an empty raw table when absent): type each row and list every reason to reject it.
-- Rejected: a required value missing, an unparseable date, a date after as-of, a repeated event_id
-- (the first row is kept), a patient not in stg_patients.
-- The ids that appear more than once, with the first line (that row is kept; the others are rejected). Grouped
-- first by the id's 64-bit hash (far cheaper than grouping millions of texts), then by text only among the
-- ids whose hash repeats: a hash shared by two different ids is told apart there, so nothing is invented.
create or replace temp table dup_events as
with ids as (
    select nullif(trim(event_id), '') as event_id, _line from raw_events
),
repeated as (
    select hash(event_id) as id_hash from ids where event_id is not null group by id_hash having count(*) > 1
)
select event_id, min(_line) as first_line
from ids
where event_id is not null and hash(event_id) in (select id_hash from repeated)
group by event_id
having count(*) > 1;

-- Every row, typed, with its reasons (NULL when accepted): written once; stg_events is the accepted rows.
create or replace table checked_events as
with typed as (
    select
        _line, _raw, _error,
        nullif(trim(event_id), '') as event_id,
        nullif(trim(patient_id), '') as patient_id,
        event_date as event_date_text, iso_date(event_date) as event_date,
        lower(nullif(trim(event_type), '')) as event_type,
        nullif(trim(code), '') as code,
        nullif(trim(description), '') as description
    from raw_events
),
ranked as (
    select typed.*, d.first_line, typed.patient_id in (select patient_id from stg_patients) as known_patient
    from typed
    left join dup_events d on d.event_id = typed.event_id
)
select * exclude (event_date_text, _error, first_line, known_patient),
    nullif(concat_ws('; ',
        _error,
        missing(event_id, 'event_id'),
        missing(patient_id, 'patient_id'),
        missing(event_date_text, 'event_date'),
        bad_date(event_date_text, event_date, 'event_date'),
        missing(event_type, 'event_type'),
        case when event_date > $as_of then 'event_date is after the as-of date' end,
        implausible_date(event_date, $date_min, $date_max, 'event_date'),
        case when event_id is not null and _line > first_line
             then 'duplicate event_id (first on line ' || first_line || ')' end,
        case when patient_id is not null and not known_patient then 'unknown patient_id' end
    ), '') as reasons
from ranked;

create or replace view stg_events as
select event_id, patient_id, event_date, event_type, code, description, _line
from checked_events
where reasons is null;
