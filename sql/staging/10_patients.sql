-- Patients: type each row and list every reason to reject it; stg_patients keeps the accepted rows.
-- Rejected: patient_id missing or repeated (the first row is kept), a birth date after as-of, a death date
-- before the birth date. A birth or death date that is not a date, or not plausible, is an optional field
-- dropped (kept NULL, listed in stg_field_notes), not a reason to lose the patient and all their rows
-- (CONTRACT.md: a rejected patient would take every prescription and lab with it as "unknown patient").
-- A death date after as-of is not an error: the rules ignore it (see normalise/patients.sql).
create or replace temp table chk_patients as
with typed as (
    select
        _line, _raw, _error,
        nullif(trim(patient_id), '') as patient_id,
        nullif(trim(site_id), '') as site_id,
        birth_date as birth_date_text,
        plausible_or_null(iso_date(birth_date), $date_min, $date_max) as birth_date,
        nullif(trim(sex), '') as sex,
        upper(nullif(trim(ms_course), '')) as ms_course,
        death_date as death_date_text,
        plausible_or_null(iso_date(death_date), $date_min, $date_max) as death_date
    from raw_patients
),
ranked as (
    select *,
        row_number() over (partition by patient_id order by _line) as id_rank,
        min(_line) over (partition by patient_id) as first_line
    from typed
)
select *,
    list_filter([
        _error,
        missing(patient_id, 'patient_id'),
        case when birth_date > $as_of then 'birth_date is after the as-of date' end,
        case when death_date < birth_date then 'death_date is before birth_date' end,
        case when patient_id is not null and id_rank > 1
             then 'duplicate patient_id (first on line ' || first_line || ')' end
    ], lambda r: r is not null) as reasons
from ranked;

create or replace table stg_patients as
select patient_id, site_id, birth_date, sex, ms_course, death_date, _line
from chk_patients
where len(reasons) = 0;

-- Optional fields dropped from accepted rows (the row is kept): file, line, column and why.
create or replace table stg_field_notes as
select $patients_file as file, _line as line, f.column_name,
       f.column_name || case when iso_date(f.text) is null then ' is not a date (YYYY-MM-DD): dropped'
                             else ' is not a plausible date: dropped' end as note
from chk_patients
cross join lateral (values ('birth_date', birth_date_text, birth_date),
                           ('death_date', death_date_text, death_date)) f(column_name, text, value)
where len(reasons) = 0 and nullif(trim(f.text), '') is not null and f.value is null;
