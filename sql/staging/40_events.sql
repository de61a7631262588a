-- Events (optional file; an empty raw table when absent): type each row and list every reason to reject it.
-- Rejected: a required value missing, an unparseable date, a date after as-of, a repeated event_id
-- (the first row is kept), a patient not in stg_patients.
create or replace temp table chk_events as
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
    select *,
        row_number() over (partition by event_id order by _line) as id_rank,
        min(_line) over (partition by event_id) as first_line,
        exists (select 1 from stg_patients p where p.patient_id = typed.patient_id) as known_patient
    from typed
)
select *,
    list_filter([
        _error,
        missing(event_id, 'event_id'),
        missing(patient_id, 'patient_id'),
        missing(event_date_text, 'event_date'),
        bad_date(event_date_text, 'event_date'),
        missing(event_type, 'event_type'),
        case when event_date > $as_of then 'event_date is after the as-of date' end,
        implausible_date(event_date, $date_min, $date_max, 'event_date'),
        case when event_id is not null and id_rank > 1
             then 'duplicate event_id (first on line ' || first_line || ')' end,
        case when patient_id is not null and not known_patient then 'unknown patient_id' end
    ], lambda r: r is not null) as reasons
from ranked;

create or replace table stg_events as
select event_id, patient_id, event_date, event_type, code, description, _line
from chk_events
where len(reasons) = 0;
