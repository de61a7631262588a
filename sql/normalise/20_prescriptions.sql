-- Azathioprine and DMT prescriptions picked out by codelist, and azathioprine exposure (RULES.md):
--   total mg   = strength (mg) x quantity; else daily dose x days (days_supply or end - start + 1); else unknown
--   days       = days_supply; else end - start + 1; else total mg / daily dose rounded up; else $default_days_supply
--   daily dose = daily_dose; else total mg / days
--   covered    = [start_date, start_date + days - 1]
-- Cancelled (or canceled), entered-in-error and draft rows give no exposure (they stay in stg_prescriptions).
create or replace macro mg_factor(unit) as
    case
        when unit is null then 1.0
        when regexp_replace(lower(unit), '[^a-zµμ]', '', 'g') in ('mg', 'milligram', 'milligrams', 'mgday', 'mgd')
            then 1.0
        when regexp_replace(lower(unit), '[^a-zµμ]', '', 'g') in ('g', 'gram', 'grams', 'gday') then 1000.0
        when regexp_replace(lower(unit), '[^a-zµμ]', '', 'g') in ('mcg', 'ug', 'µg', 'μg', 'microgram', 'micrograms')
            then 0.001
    end;

-- Each (drug_code, drug_name) of the extract matched once against the codelists (a few hundred pairs, where
-- the rows number millions): azathioprine by code or a name fragment, the DMT of the longest matching value,
-- the xanthine oxidase inhibitor (codelists/xoi.csv, by code or a name containing a fragment).
create or replace temp table drug_map as
select
    d.drug_code, d.drug_name,
    exists (select 1 from codelist_azathioprine_codes c where c.code = upper(d.drug_code))
        or exists (select 1 from codelist_azathioprine_names n where contains(lower(d.drug_name), n.fragment))
        as is_azathioprine,
    (select arg_max(c.dmt, length(c.value)) from codelist_dmt c
     where (c.match = 'code' and c.value = upper(d.drug_code))
        or (c.match = 'name' and contains(' ' || name_key(d.drug_name) || ' ', ' ' || c.value))) as dmt,
    (select arg_min(c.drug, c.match) from codelist_xoi c
     where (c.match = 'code' and c.value = upper(d.drug_code))
        or (c.match = 'name' and contains(lower(d.drug_name), c.value))) as xoi
from (select distinct drug_code, drug_name from stg_prescriptions) d;

create or replace table aza_prescription_rows as
select
    p.*,
    coalesce(p.status, '') in ('cancelled', 'canceled', 'entered-in-error', 'entered in error', 'draft') as gives_no_exposure,
    p.strength * mg_factor(p.strength_unit) as strength_mg,
    p.daily_dose * mg_factor(p.daily_dose_unit) as daily_dose_given_mg,
    coalesce(p.days_supply, date_diff('day', p.start_date, p.end_date) + 1) as days_given
from stg_prescriptions p
join drug_map m on m.drug_code is not distinct from p.drug_code and m.drug_name is not distinct from p.drug_name
where m.is_azathioprine;

create or replace table aza_prescriptions as
with totals as (
    select *,
        coalesce(strength_mg * quantity, daily_dose_given_mg * days_given) as total_mg
    from aza_prescription_rows
    where not gives_no_exposure
),
days as (
    select *,
        cast(coalesce(days_given, ceil(total_mg / daily_dose_given_mg), $default_days_supply) as integer)
            as days_of_supply
    from totals
)
select
    prescription_id,
    patient_id,
    drug_name,
    start_date,
    days_of_supply as days_supply,
    total_mg,
    coalesce(daily_dose_given_mg, total_mg / days_of_supply) as daily_dose_mg,
    start_date as cover_start,
    cast(start_date + (days_of_supply - 1) * interval 1 day as date) as cover_end,
    total_mg is not null as dose_known
from days;

create or replace table dmt_prescriptions as
select p.prescription_id, p.patient_id, p.start_date, m.dmt
from stg_prescriptions p
join drug_map m on m.drug_code is not distinct from p.drug_code and m.drug_name is not distinct from p.drug_name
where m.dmt is not null and not m.is_azathioprine
  and coalesce(p.status, '') not in ('cancelled', 'canceled', 'entered-in-error', 'entered in error', 'draft');

-- Xanthine oxidase inhibitors (allopurinol, febuxostat; drug_map): they cover [start_date, start_date +
-- days - 1], days = days_supply, else end_date - start_date + 1, else $default_days_supply; the statuses
-- that give no azathioprine exposure give none here either.
create or replace table xoi_prescriptions as
select
    p.prescription_id, p.patient_id, p.start_date, m.xoi as drug,
    cast(p.start_date + (coalesce(p.days_supply, date_diff('day', p.start_date, p.end_date) + 1,
                                  $default_days_supply) - 1) * interval 1 day as date) as cover_end
from stg_prescriptions p
join drug_map m on m.drug_code is not distinct from p.drug_code and m.drug_name is not distinct from p.drug_name
where m.xoi is not null
  and p.start_date <= $as_of
  and coalesce(p.status, '') not in ('cancelled', 'canceled', 'entered-in-error', 'entered in error', 'draft');
