-- The main quarantine reasons: rows per file and reason (a row with several reasons counts once for each).
with reasons as (
    select file, trim(unnest(string_split(reasons, ';'))) as reason
    from quarantine
)

select file, reason, count(*) as rows
from reasons
where reason <> ''
group by file, reason
order by rows desc, file, reason
limit $limit
