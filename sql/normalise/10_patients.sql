-- Patients as the rules see them: site UNKNOWN when not given; a death after as-of is not yet a death.
create or replace table patients as
select
    patient_id,
    coalesce(site_id, 'UNKNOWN') as site_id,
    birth_date,
    sex,
    ms_course,
    case when death_date <= $as_of then death_date end as death_date
from stg_patients;
