-- The line of every quarantined row of one extract file that the fast reader read: each of its rows is one
-- line, so the line alone says where to read its text (line_ranges.sql would read the file again for a range).
select line
from quarantine
where file = $file
order by line
