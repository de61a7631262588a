-- Sites (optional file; an empty raw table when absent): the name the reports show for each site_id.
-- Rejected: a required value missing, a repeated site_id (the first row is kept). A site listed here with no
-- patient is kept (it is only a name); a patient's site missing here is shown by its code.
create or replace temp table dup_sites as
select site_id, min(_line) as first_line
from (select nullif(trim(site_id), '') as site_id, _line from raw_sites)
where site_id is not null
group by site_id
having count(*) > 1;

create or replace table checked_sites as
with typed as (
    select _line, _raw, _error,
           nullif(trim(site_id), '') as site_id,
           nullif(trim(regexp_replace(site_name, '\s+', ' ', 'g')), '') as site_name
    from raw_sites
)
select typed.* exclude (_error),
    nullif(array_to_string(list_filter([
        _error,
        missing(typed.site_id, 'site_id'),
        missing(site_name, 'site_name'),
        case when typed.site_id is not null and _line > d.first_line
             then 'duplicate site_id (first on line ' || d.first_line || ')' end
    ], lambda r: r is not null), '; '), '') as reasons
from typed
left join dup_sites d on d.site_id = typed.site_id;

create or replace view stg_sites as
select site_id, site_name, _line
from checked_sites
where reasons is null;
