-- Events (optional file; an empty raw table when absent): type each row and list every reason to reject it.
-- Rejected: a required value missing, an unparseable date, a date after as-of, a repeated event_id
-- (the first row is kept), a patient not in stg_patients.
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
)
select * exclude (event_date_text, _error),
    nullif(concat_ws('; ',
        _error,
        missing(event_id, 'event_id'),
        missing(patient_id, 'patient_id'),
        missing(event_date_text, 'event_date'),
        bad_date(event_date_text, event_date, 'event_date'),
        missing(event_type, 'event_type'),
        case when event_date > $as_of then 'event_date is after the as-of date' end,
        implausible_date(event_date, $date_min, $date_max, 'event_date')
    ), '') as reasons
from typed;

-- The fast reader's rows come without line numbers (numbering them as they stream would take DuckDB down
-- to one thread): the statement above is a plain projection of the file, which DuckDB writes in file order,
-- so the n-th row (rowid n - 1) is line n + 1. The exact reader's rows have theirs.
update checked_events set _line = rowid + 2 where _line is null;

-- The ids that appear more than once, with the first line (that row is kept; the others are rejected). Grouped
-- first by the id's 64-bit hash (far cheaper than grouping millions of texts), then by text only among the
-- ids whose hash repeats: a hash shared by two different ids is told apart there, so nothing is invented.
create or replace temp table dup_events as
with repeated as (
    select hash(event_id) as id_hash
    from checked_events
    where event_id is not null
    group by id_hash
    having count(*) > 1
)
select event_id, min(_line) as first_line
from checked_events
where event_id is not null and hash(event_id) in (select id_hash from repeated)
group by event_id
having count(*) > 1;

-- The last two reasons, which depend on other rows: a repeated event_id after its first line, and a patient
-- not in stg_patients. Only those rows are rewritten.
update checked_events
set reasons = nullif(concat_ws('; ', checked_events.reasons, f.duplicate, f.unknown), '')
from (
    select c.rowid as row_id,
           case when c._line > d.first_line
                then 'duplicate event_id (first on line ' || d.first_line || ')' end as duplicate,
           case when c.patient_id is not null and p.patient_id is null then 'unknown patient_id' end as unknown
    from checked_events c
    left join dup_events d on d.event_id = c.event_id
    left join stg_patients p on p.patient_id = c.patient_id
    where c._line > d.first_line or (c.patient_id is not null and p.patient_id is null)
) f
where checked_events.rowid = f.row_id;

create or replace view stg_events as
select event_id, patient_id, event_date, event_type, code, description, _line
from checked_events
where reasons is null;
