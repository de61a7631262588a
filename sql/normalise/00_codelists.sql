-- Load the codelists (codelists/*.csv) with their match keys. Paths are bound by the loader.
create or replace macro name_key(t) as
    trim(regexp_replace(lower(t), '[^a-z0-9*]+', ' ', 'g'));

-- Unit match key: lower case, no spaces; micro signs as `u`, `×` as `x`, superscript 9 and 3 as `^9`, `^3`
-- (so `×10⁹/L`, `10³/µL` and `cells/μL` match their plain spellings in codelists/units.csv).
create or replace macro unit_key(t) as
    replace(replace(replace(replace(replace(replace(lower(trim(t)), ' ', ''),
        'µ', 'u'), 'μ', 'u'), '×', 'x'), '⁹', '^9'), '³', '^3');

create or replace table codelist_azathioprine_codes as
select code_system, upper(trim(code)) as code, description
from read_csv($azathioprine_codes_path, header = true, all_varchar = true);

create or replace table codelist_azathioprine_names as
select lower(trim(fragment)) as fragment
from read_csv($azathioprine_names_path, header = true, all_varchar = true);

create or replace table codelist_dmt as
select dmt, match,
       case when match = 'code' then upper(trim(value)) else name_key(value) end as value
from read_csv($dmt_path, header = true, all_varchar = true);

create or replace table codelist_lab_codes as
select analyte, nullif(lab_group, '') as lab_group, trim(loinc) as code, measure, core = 'yes' as core
from read_csv($lab_codes_path, header = true, all_varchar = true);

create or replace table codelist_xoi as
select drug, match, case when match = 'code' then upper(trim(value)) else lower(trim(value)) end as value
from read_csv($xoi_path, header = true, all_varchar = true);

create or replace table codelist_non_results as
select lower(trim(fragment)) as fragment
from read_csv($non_results_path, header = true, all_varchar = true);

-- The test groups the profile monitors ($monitored_tests), in the profile's order, with their labels.
create or replace table monitored_tests as
select g.test, g.label, g.short, m.position
from read_csv($test_groups_path, header = true, all_varchar = true) g
join (select unnest($monitored_tests) as test, generate_subscripts($monitored_tests, 1) as position) m
  using (test);

create or replace table codelist_lab_names as
select n.analyte, name_key(n.name) as name_key, c.lab_group, c.measure, c.core
from read_csv($lab_names_path, header = true, all_varchar = true) n
join (
    -- a name gives the analyte's group and its main measure (a count, not a percentage)
    select analyte, any_value(lab_group) as lab_group, bool_or(core) as core,
           coalesce(max(measure) filter (where measure <> 'percent'), 'percent') as measure
    from codelist_lab_codes group by analyte
) c using (analyte);

create or replace table codelist_units as
select unit_key(unit) as unit_key, quantity, cast(factor as double) as factor
from read_csv($units_path, header = true, all_varchar = true);

create or replace table codelist_tpmt_phenotypes as
select lower(trim(text)) as text, phenotype
from read_csv($tpmt_phenotypes_path, header = true, all_varchar = true);
