-- What the normalisation could not use, for the report's data-quality section and run.json.
create or replace table unmapped_codes as
select 'lab' as kind, test_code as code, test_name as name, count(*) as rows
from lab_mapping
where analyte is null
group by all
union all
select 'drug', p.drug_code, p.drug_name, count(*)
from stg_prescriptions p
join drug_map m on m.drug_code is not distinct from p.drug_code and m.drug_name is not distinct from p.drug_name
where not m.is_azathioprine and m.dmt is null
group by all
order by kind, rows desc;

create or replace table data_quality_notes as
select 'prescriptions' as file, 'azathioprine prescription with unknown total dose' as note, count(*) as rows
from aza_prescriptions where not dose_known
union all
select 'prescriptions', 'azathioprine prescription cancelled or entered in error (no exposure)', count(*)
from aza_prescription_rows where gives_no_exposure
union all
select 'labs', 'result with an uninterpretable unit (not compared)', count(*)
from lab_results where unit_status = 'uninterpretable'
union all
select 'labs', 'result with no unit (not compared)', count(*)
from lab_results where unit_status = 'missing'
union all
select 'labs', 'numeric analyte with a non-numeric value', count(*)
from lab_results where unit_status = 'not_numeric'
union all
select 'labs', 'TPMT result that could not be classified (counts as tested)', count(*)
from tpmt_results where phenotype is null
union all
select 'labs', 'result not mapped to an analyte of the codelists', count(*)
from lab_mapping where analyte is null
union all
select 'labs', 'non-result (not performed, haemolysed, clotted, ...): counts for nothing', count(*)
from lab_mapping where analyte is not null and non_result
union all
select 'patients', 'death date after the as-of date (ignored by the rules)', count(*)
from stg_patients where death_date > $as_of
union all
select 'patients', 'birth_date not a date or not plausible: the value dropped, the patient kept (stg_field_notes)',
       count(*)
from stg_field_notes where column_name = 'birth_date'
union all
select 'patients', 'death_date not a date or not plausible: the value dropped, the patient kept (stg_field_notes)',
       count(*)
from stg_field_notes where column_name = 'death_date';
