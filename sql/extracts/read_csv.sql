-- The fast reader: DuckDB's own CSV parser reads a data file (the header, line 1, was read and checked in
-- Python) into temporary table csv_read (this connection only: staging types it into the database), every
-- field as text, in file order. $columns names the fields by position
-- (c0, c1, ..., the last one c_last) plus one more, c_over, which only a row with a field too many fills.
-- An empty field reads as '' and a missing one as NULL ($nullstr matches nothing a file holds), so that a
-- row with too few fields can be told from a row of empty ones. Whatever DuckDB cannot read strictly (a
-- stray or open quote, text that is not UTF-8, two fields too many) is an error: the exact reader then
-- reads the file.
create or replace temp table csv_read as
select *
from read_csv($path, header = false, skip = 1, auto_detect = false, delim = ',', quote = '"', escape = '"',
              strict_mode = true, null_padding = true, nullstr = $nullstr, columns = $columns);
