-- Every rejected row with its file, line, every reason and the raw text; then the per-file counts.
create or replace table quarantine as
select $patients_file as file, _line as line, array_to_string(reasons, '; ') as reasons, _raw as raw
from chk_patients where len(reasons) > 0
union all
select $prescriptions_file, _line, reasons, _raw
from checked_prescriptions where reasons is not null
union all
select $labs_file, _line, reasons, _raw
from checked_labs where reasons is not null
union all
select $events_file, _line, reasons, _raw
from checked_events where reasons is not null
union all
select $sites_file, _line, reasons, _raw
from checked_sites where reasons is not null
order by file, line;

create or replace table quarantine_reasons as
with exploded as (
    select file, unnest(string_split(reasons, '; ')) as reason from quarantine
)
select file,
       -- a duplicate's reason names its first line: group those together
       regexp_replace(reason, ' \(first on line \d+\)$', '') as reason,
       count(*) as rows
from exploded
group by all
order by file, rows desc;
