-- The line of every quarantined row of one extract file that the fast reader read: each of its rows is one
-- line, so the range is that line alone (line_ranges.sql would read the file again to learn as much).
select line, line as _line_end
from quarantine
where file = $file
order by line
