-- The main quarantine reasons: rows per file and reason (a row with several reasons counts once for each).
-- A reason that names a line ("duplicate result_id (first on line 12)") is counted under its kind.
with reasons as (
    select file, regexp_replace(trim(unnest(string_split(reasons, ';'))), ' \(first on line [0-9]+\)$', '')
        as reason
    from quarantine
)

select file, reason, count(*) as rows
from reasons
where reason <> ''
group by file, reason
order by rows desc, file, reason
limit $limit
