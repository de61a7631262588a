-- Labs: type each row and list every reason to reject it.
-- Rejected: a required value missing, neither test_code nor test_name, an unparseable collected_at or
-- reference limit, collected after as-of, a repeated result_id (the first row is kept), a patient not
-- in stg_patients. The value stays text: it may be a number or a TPMT phenotype.
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
)
select * exclude (collected_at_text, ref_low_text, ref_high_text, _error),
    cast(collected_at as date) as collected_date,
    -- Most rows are clean: this test of every reason's condition spares them the text below (a row it took
    -- for unclean by mistake would still get no reason: concat_ws of nothing is '', hence NULL).
    case when _error is null and result_id is not null and patient_id is not null
              and (test_code is not null or test_name is not null) and collected_at is not null
              and value is not null and (ref_low_text is null or ref_low is not null)
              and (ref_high_text is null or ref_high is not null)
              and cast(collected_at as date) <= $as_of
              and cast(collected_at as date) between $date_min and $date_max
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
        implausible_date(cast(collected_at as date), $date_min, $date_max, 'collected_at')
    ), '') end as reasons
from typed;

-- The fast reader's rows come without line numbers (numbering them as they stream would take DuckDB down
-- to one thread): the statement above is a plain projection of the file, which DuckDB writes in file order,
-- so the n-th row (rowid n - 1) is line n + 1. The exact reader's rows have theirs.
update checked_labs set _line = rowid + 2 where _line is null;

-- The ids that appear more than once, with the first line (that row is kept; the others are rejected). Grouped
-- first by the id's 64-bit hash (far cheaper than grouping millions of texts), then by text only among the
-- ids whose hash repeats: a hash shared by two different ids is told apart there, so nothing is invented.
create or replace temp table dup_labs as
with repeated as (
    select hash(result_id) as id_hash
    from checked_labs
    where result_id is not null
    group by id_hash
    having count(*) > 1
)
select result_id, min(_line) as first_line
from checked_labs
where result_id is not null and hash(result_id) in (select id_hash from repeated)
group by result_id
having count(*) > 1;

-- The last two reasons, which depend on other rows: a repeated result_id after its first line, and a patient
-- not in stg_patients. Only those rows are rewritten.
update checked_labs
set reasons = nullif(concat_ws('; ', checked_labs.reasons, f.duplicate, f.unknown), '')
from (
    select c.rowid as row_id,
           case when c._line > d.first_line
                then 'duplicate result_id (first on line ' || d.first_line || ')' end as duplicate,
           case when c.patient_id is not null and p.patient_id is null then 'unknown patient_id' end as unknown
    from checked_labs c
    left join dup_labs d on d.result_id = c.result_id
    left join stg_patients p on p.patient_id = c.patient_id
    where c._line > d.first_line or (c.patient_id is not null and p.patient_id is null)
) f
where checked_labs.rowid = f.row_id;

create or replace view stg_labs as
select result_id, patient_id, test_code, test_name, collected_at, collected_date, value, unit, ref_low,
       ref_high, _line
from checked_labs
where reasons is null;
