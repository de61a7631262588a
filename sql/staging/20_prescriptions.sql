-- Prescriptions: type each row and list every reason to reject it.
-- Rejected: a required value missing, an unparseable date or number, quantity, strength, daily dose or
-- days of supply zero or negative, days of supply not whole or above the profile's max_days_supply, a
-- date before 1900 or after 2100, end before start, start after as-of,
-- a repeated prescription_id (the first row is kept), a patient not in stg_patients.
-- Every row, typed, with its reasons (NULL when accepted): written once; stg_prescriptions is the accepted rows.
create or replace table checked_prescriptions as
with typed as (
    select
        _line, _raw, _error,
        nullif(trim(prescription_id), '') as prescription_id,
        nullif(trim(patient_id), '') as patient_id,
        nullif(trim(drug_name), '') as drug_name,
        nullif(trim(drug_code), '') as drug_code,
        start_date as start_date_text, iso_date(start_date) as start_date,
        end_date as end_date_text, iso_date(end_date) as end_date,
        days_supply as days_supply_text, num(days_supply) as days_supply_num,
        strength as strength_text, num(strength) as strength,
        nullif(trim(strength_unit), '') as strength_unit,
        quantity as quantity_text, num(quantity) as quantity,
        daily_dose as daily_dose_text, num(daily_dose) as daily_dose,
        nullif(trim(daily_dose_unit), '') as daily_dose_unit,
        lower(nullif(trim(status), '')) as status
    from raw_prescriptions
)
select * exclude (start_date_text, end_date_text, days_supply_text, days_supply_num, strength_text, quantity_text, daily_dose_text, _error),
    case when days_supply_num <= $max_days_supply then cast(days_supply_num as integer) end as days_supply,
    -- Most rows are clean: this test of every reason's condition spares them the text below (a row it took
    -- for unclean by mistake would still get no reason: concat_ws of nothing is '', hence NULL).
    case when _error is null and prescription_id is not null and patient_id is not null and drug_name is not null
              and start_date is not null and (end_date_text is null or end_date is not null)
              and (days_supply_text is null or days_supply_num is not null)
              and (strength_text is null or strength is not null)
              and (quantity_text is null or quantity is not null)
              and (daily_dose_text is null or daily_dose is not null)
              and (days_supply_num is null or (days_supply_num > 0 and days_supply_num = floor(days_supply_num)
                                               and days_supply_num <= $max_days_supply))
              and start_date between $date_min and $date_max
              and (end_date is null or (end_date between $date_min and $date_max and end_date >= start_date))
              and (strength is null or strength > 0) and (quantity is null or quantity > 0)
              and (daily_dose is null or daily_dose > 0)
              and start_date <= $as_of
    then null else
    nullif(concat_ws('; ',
        _error,
        missing(prescription_id, 'prescription_id'),
        missing(patient_id, 'patient_id'),
        missing(drug_name, 'drug_name'),
        missing(start_date_text, 'start_date'),
        bad_date(start_date_text, start_date, 'start_date'),
        bad_date(end_date_text, end_date, 'end_date'),
        bad_number(days_supply_text, days_supply_num, 'days_supply'),
        bad_number(strength_text, strength, 'strength'),
        bad_number(quantity_text, quantity, 'quantity'),
        bad_number(daily_dose_text, daily_dose, 'daily_dose'),
        case when days_supply_num <= 0 then 'days_supply is zero or negative' end,
        case when days_supply_num > 0 and days_supply_num <> floor(days_supply_num)
             then 'days_supply is not a whole number of days' end,
        case when days_supply_num > $max_days_supply
             then 'days_supply is above ' || $max_days_supply || ' days (not plausible)' end,
        implausible_date(start_date, $date_min, $date_max, 'start_date'),
        implausible_date(end_date, $date_min, $date_max, 'end_date'),
        case when strength <= 0 then 'strength is zero or negative' end,
        case when quantity <= 0 then 'quantity is zero or negative' end,
        case when daily_dose <= 0 then 'daily_dose is zero or negative' end,
        case when end_date < start_date then 'end_date is before start_date' end,
        case when start_date > $as_of then 'start_date is after the as-of date' end
    ), '') end as reasons
from typed;

-- The fast reader's rows come without line numbers (numbering them as they stream would take DuckDB down
-- to one thread): the statement above is a plain projection of the file, which DuckDB writes in file order,
-- so the n-th row (rowid n - 1) is line n + 1. The exact reader's rows have theirs.
update checked_prescriptions set _line = rowid + 2 where _line is null;

-- The ids that appear more than once, with the first line (that row is kept; the others are rejected). Grouped
-- first by the id's 64-bit hash (far cheaper than grouping millions of texts), then by text only among the
-- ids whose hash repeats: a hash shared by two different ids is told apart there, so nothing is invented.
create or replace temp table dup_prescriptions as
with repeated as (
    select hash(prescription_id) as id_hash
    from checked_prescriptions
    where prescription_id is not null
    group by id_hash
    having count(*) > 1
)
select prescription_id, min(_line) as first_line
from checked_prescriptions
where prescription_id is not null and hash(prescription_id) in (select id_hash from repeated)
group by prescription_id
having count(*) > 1;

-- The last two reasons, which depend on other rows: a repeated prescription_id after its first line, and a patient
-- not in stg_patients. Only those rows are rewritten.
update checked_prescriptions
set reasons = nullif(concat_ws('; ', checked_prescriptions.reasons, f.duplicate, f.unknown), '')
from (
    select c.rowid as row_id,
           case when c._line > d.first_line
                then 'duplicate prescription_id (first on line ' || d.first_line || ')' end as duplicate,
           case when c.patient_id is not null and p.patient_id is null then 'unknown patient_id' end as unknown
    from checked_prescriptions c
    left join dup_prescriptions d on d.prescription_id = c.prescription_id
    left join stg_patients p on p.patient_id = c.patient_id
    where c._line > d.first_line or (c.patient_id is not null and p.patient_id is null)
) f
where checked_prescriptions.rowid = f.row_id;

create or replace view stg_prescriptions as
select prescription_id, patient_id, drug_name, drug_code, start_date, end_date, days_supply, strength,
       strength_unit, quantity, daily_dose, daily_dose_unit, status, _line
from checked_prescriptions
where reasons is null;
