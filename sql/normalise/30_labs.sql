-- Lab results mapped to analytes (by LOINC code first, then by local name: whole, without a bracketed
-- part, or the bracketed part alone; never a part of a longer name), values converted to canonical units
-- (counts 10^9/L, enzymes U/L, weight kg). A value whose unit cannot be interpreted is never compared:
-- unit_status says why. A test_code written as LOINC (digits, a dash, one digit) that is not in the
-- codelist decides the row: the name is not used (LOINC 5821-4 "Leukocytes" is urine, not a blood count).
-- A non-result (codelists/non_results.csv: "not performed", "haemolysed", "clotted", ...) counts for
-- nothing: it is not in lab_results (no test done, no TPMT result, no weight) and is counted in data quality.
-- An extract names a few hundred tests and writes a few thousand non-numeric values across millions of rows:
-- each name, unit and value is mapped once, and the rows join the small maps.
create or replace table lab_test_map as
with keyed as (
    select
        t.test_code, t.test_name,
        name_key(t.test_name) as key_whole,
        name_key(regexp_replace(t.test_name, '\s*\([^)]*\)\s*', ' ', 'g')) as key_outside,
        name_key(regexp_extract(t.test_name, '\(([^)]*)\)', 1)) as key_inside,
        coalesce(regexp_full_match(trim(t.test_code), '\d+-\d'), false) as loinc_decides
    from (select distinct test_code, test_name from stg_labs) t
)
select
    k.test_code, k.test_name,
    case when c.analyte is not null then c.analyte when not k.loinc_decides
         then coalesce(n1.analyte, n2.analyte, n3.analyte) end as analyte,
    case when c.analyte is not null then c.lab_group when not k.loinc_decides
         then coalesce(n1.lab_group, n2.lab_group, n3.lab_group) end as lab_group,
    case when c.analyte is not null then c.measure when not k.loinc_decides
         then coalesce(n1.measure, n2.measure, n3.measure) end as measure,
    case when c.analyte is not null then c.core when not k.loinc_decides
         then coalesce(n1.core, n2.core, n3.core) end as core
from keyed k
left join codelist_lab_codes c on c.code = k.test_code
left join codelist_lab_names n1 on n1.name_key = k.key_whole
left join codelist_lab_names n2 on n2.name_key = k.key_outside and k.key_outside <> ''
left join codelist_lab_names n3 on n3.name_key = k.key_inside and k.key_inside <> '';

-- The values that are non-results: a value with letters that holds a fragment of the codelist.
create or replace table lab_non_result_values as
select v.value
from (select distinct value from stg_labs where regexp_matches(value, '[A-Za-z]')) v
where exists (select 1 from codelist_non_results nr where contains(lower(v.value), nr.fragment));

create or replace view lab_mapping as
select l.result_id, l.patient_id, l.test_code, l.test_name, l.collected_date, l.value, l.unit,
       m.analyte, m.lab_group, m.measure, m.core,
       l.value in (select value from lab_non_result_values) as non_result
from stg_labs l
join lab_test_map m on m.test_code is not distinct from l.test_code and m.test_name is not distinct from l.test_name;

-- Each unit spelling of the extract keyed once (unit_key is six replacements of a text): the rows join this map.
create or replace temp table lab_unit_map as
select s.unit, u.quantity, u.factor
from (select distinct unit from stg_labs where unit is not null) s
join codelist_units u on u.unit_key = unit_key(s.unit);

create or replace table lab_results as
with valued as (
    select
        m.result_id, m.patient_id, m.collected_date, m.analyte, m.lab_group, m.core, m.measure,
        m.value as value_text,
        -- nan, inf and -inf are not numbers: the value counts as non-numeric (data quality). A value that
        -- reads as a number as it stands has no < or > to strip: only the others go through the pattern.
        case when isfinite(coalesce(try_cast(m.value as double),
                                    try_cast(regexp_replace(m.value, '^[<>]=?\s*', '') as double)))
             then coalesce(try_cast(m.value as double),
                           try_cast(regexp_replace(m.value, '^[<>]=?\s*', '') as double)) end as value_num,
        try_cast(m.value as double) is not null as plain_number,
        m.unit,
        u.quantity as unit_quantity,
        u.factor
    from lab_mapping m
    left join lab_unit_map u on u.unit = m.unit
    where m.analyte is not null and not m.non_result
)
select
    result_id, patient_id, collected_date, analyte, lab_group, core, value_text, value_num, unit,
    -- a censored result ("<0.5", ">100") keeps its bound in value_num and its direction here
    case when not plain_number then nullif(left(regexp_extract(value_text, '^\s*([<>])', 1), 1), '') end as censor,
    case
        -- exact(): a conversion never moves a value across a limit by a binary rounding error
        when measure in ('count', 'enzyme', 'weight') and unit_status = 'ok' then exact(value_num * factor)
    end as value_canonical,
    unit_status,
    measure
from (
    select *,
        case
            when measure in ('panel', 'tpmt_text', 'tpmt_activity', 'haemoglobin', 'bilirubin', 'albumin', 'renal')
                then 'not_compared'
            when value_num is null then 'not_numeric'
            -- a percentage is a result only for analytes that have one (differential counts);
            -- a WBC or platelet count "in %" cannot be interpreted
            when measure = 'percent' or (unit_quantity = 'percent' and analyte in (
                select analyte from codelist_lab_codes where measure = 'percent')) then 'percent'
            when unit_quantity = 'percent' then 'uninterpretable'
            when unit is null then 'missing'
            when measure = 'count' and unit_quantity = 'count' then 'ok'
            when measure = 'enzyme' and unit_quantity = 'enzyme' then 'ok'
            when measure = 'weight' and unit_quantity = 'weight' then 'ok'
            else 'uninterpretable'
        end as unit_status
    from valued
);

-- A monitored group (the profile's monitored_tests: CBC, LFT, RENAL) is done on a day when one of its core
-- analytes has a result that day, whatever its value (haemoglobin alone is not a full blood count, albumin
-- alone not a liver panel).
create or replace table blood_tests as
select distinct patient_id, collected_date as test_date, lab_group as test
from lab_results
where core and lab_group in (select test from monitored_tests);

-- TPMT: text phenotypes from the codelist; activity by the profile's cut-offs for mU/L and nmol/h/gHb.
-- A censored activity is classified only when its bound settles it ("<5" mU/L is deficient, ">80" normal);
-- otherwise ("<30", ">40") it is tested but unclassified.
create or replace table tpmt_results as
select
    r.result_id,
    r.patient_id,
    r.collected_date,
    coalesce(
        t.phenotype,
        case
            when r.censor = '<' then case
                when u.quantity = 'tpmt_mu_l' and r.value_num <= $tpmt_mu_l_deficient_below then 'deficient'
                when u.quantity = 'tpmt_nmol' and r.value_num <= $tpmt_nmol_deficient_below then 'deficient'
            end
            when r.censor = '>' then case
                when u.quantity = 'tpmt_mu_l' and r.value_num >= $tpmt_mu_l_normal_from then 'normal'
                when u.quantity = 'tpmt_nmol' and r.value_num >= $tpmt_nmol_normal_above then 'normal'
            end
            when u.quantity = 'tpmt_mu_l' and r.value_num < $tpmt_mu_l_deficient_below then 'deficient'
            when u.quantity = 'tpmt_mu_l' and r.value_num < $tpmt_mu_l_normal_from then 'intermediate'
            when u.quantity = 'tpmt_mu_l' and r.value_num >= $tpmt_mu_l_normal_from then 'normal'
            when u.quantity = 'tpmt_nmol' and r.value_num < $tpmt_nmol_deficient_below then 'deficient'
            when u.quantity = 'tpmt_nmol' and r.value_num <= $tpmt_nmol_normal_above then 'intermediate'
            when u.quantity = 'tpmt_nmol' and r.value_num > $tpmt_nmol_normal_above then 'normal'
        end
    ) as phenotype
from lab_results r
left join codelist_tpmt_phenotypes t on t.text = lower(trim(r.value_text))
left join codelist_units u on u.unit_key = unit_key(r.unit)
where r.lab_group = 'TPMT';

create or replace table weights as
select patient_id, collected_date, value_canonical as weight_kg
from lab_results
where analyte = 'WEIGHT' and unit_status = 'ok' and value_canonical > 0;

create or replace table events as
select event_id, patient_id, event_date, event_type
from stg_events;
