-- Labs: type each row and list every reason to reject it.
-- Rejected: a required value missing, neither test_code nor test_name, an unparseable collected_at or
-- reference limit, collected after as-of, a repeated result_id (the first row is kept), a patient not
-- in stg_patients. The value stays text: it may be a number or a TPMT phenotype.
-- The ids that appear more than once, with the first line (that row is kept; the others are rejected). Grouped
-- first by the id's 64-bit hash (far cheaper than grouping millions of texts), then by text only among the
-- ids whose hash repeats: a hash shared by two different ids is told apart there, so nothing is invented.
create or replace temp table dup_labs as
with ids as (
    select nullif(trim(result_id), '') as result_id, _line from raw_labs
),
repeated as (
    select hash(result_id) as id_hash from ids where result_id is not null group by id_hash having count(*) > 1
)
select result_id, min(_line) as first_line
from ids
where result_id is not null and hash(result_id) in (select id_hash from repeated)
group by result_id
having count(*) > 1;

-- Every row, typed, with its reasons (NULL when accepted): written once; stg_labs is the accepted rows.
create or replace table checked_labs as
with typed as (
    select
        _line, _raw, _error,
        nullif(trim(result_id), '') as result_id,
        nullif(trim(patient_id), '') as patient_id,
        nullif(trim(test_code), '') as test_code,
        nullif(trim(test_name), '') as test_name,
        collected_at as collected_at_text,
        iso_timestamp(collected_at) as collected_at,
        nullif(trim(value), '') as value,
        nullif(trim(unit), '') as unit,
        ref_low as ref_low_text, num(ref_low) as ref_low,
        ref_high as ref_high_text, num(ref_high) as ref_high
    from raw_labs
),
ranked as (
    select typed.*, d.first_line, typed.patient_id in (select patient_id from stg_patients) as known_patient
    from typed
    left join dup_labs d on d.result_id = typed.result_id
)
select * exclude (collected_at_text, ref_low_text, ref_high_text, _error, first_line, known_patient),
    cast(collected_at as date) as collected_date,
    -- Most rows are clean: this test of every reason's condition spares them the text below (a row it took
    -- for unclean by mistake would still get no reason: concat_ws of nothing is '', hence NULL).
    case when _error is null and result_id is not null and patient_id is not null
              and (test_code is not null or test_name is not null) and collected_at is not null
              and value is not null and (ref_low_text is null or ref_low is not null)
              and (ref_high_text is null or ref_high is not null)
              and cast(collected_at as date) <= $as_of
              and cast(collected_at as date) between $date_min and $date_max
              and (first_line is null or _line <= first_line) and known_patient
    then null else
    nullif(concat_ws('; ',
        _error,
        missing(result_id, 'result_id'),
        missing(patient_id, 'patient_id'),
        case when test_code is null and test_name is null then 'test_code and test_name are both missing' end,
        missing(collected_at_text, 'collected_at'),
        case when collected_at_text is not null and collected_at is null
             then 'collected_at is not a date or date-time (YYYY-MM-DD[ HH:MM[:SS]])' end,
        missing(value, 'value'),
        bad_number(ref_low_text, ref_low, 'ref_low'),
        bad_number(ref_high_text, ref_high, 'ref_high'),
        case when cast(collected_at as date) > $as_of then 'collected_at is after the as-of date' end,
        implausible_date(cast(collected_at as date), $date_min, $date_max, 'collected_at'),
        case when result_id is not null and _line > first_line
             then 'duplicate result_id (first on line ' || first_line || ')' end,
        case when patient_id is not null and not known_patient then 'unknown patient_id' end
    ), '') end as reasons
from ranked;

create or replace view stg_labs as
select result_id, patient_id, test_code, test_name, collected_at, collected_date, value, unit, ref_low,
       ref_high, _line
from checked_labs
where reasons is null;
