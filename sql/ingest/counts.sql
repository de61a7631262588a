-- Rows accepted (the staged views) and quarantined, per extract file: staging's side of the reconciliation
-- rows read = rows accepted + rows quarantined. $labels: (name, label) of each extract, the label being the
-- file name the quarantine gives.
with labels as (select unnest($labels, recursive := true)),
accepted(name, accepted) as (
    select 'patients', count(*) from stg_patients
    union all select 'prescriptions', count(*) from stg_prescriptions
    union all select 'labs', count(*) from stg_labs
    union all select 'events', count(*) from stg_events
    union all select 'sites', count(*) from stg_sites
),
quarantined as (
    select file, count(*) as quarantined from quarantine group by file
)
select l.name, a.accepted, coalesce(q.quarantined, 0) as quarantined
from labels l
join accepted a using (name)
left join quarantined q on q.file = l.label
