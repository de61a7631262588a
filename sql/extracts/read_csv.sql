-- The fast reader: DuckDB's own CSV parser reads a data file (the header, line 1, was read and checked in
-- Python) every field as text, in file order, in parallel: nothing is stored. One scan checks the file
-- (csv_faults.sql); staging then reads it once more and writes the typed rows (extracts.py says how each
-- row learns its line number).
-- The file is registered in the connection's variable aza_csv (extract name -> path, the null mark, the
-- names of the extra columns): values bound here, never written into SQL text. The view over it
-- (extracts.py) names the fields by position (c0, c1, ..., the last one c_last) plus one more, c_over,
-- which only a row with a field too many fills. An empty field reads as '' and a missing one as NULL
-- ($nullstr matches nothing a file holds), so that a row with too few fields can be told from a row of
-- empty ones. Whatever DuckDB cannot read strictly (a stray or open quote, text that is not UTF-8, two
-- fields too many) is an error: the exact reader then reads the file.
set variable aza_csv = map_concat(
    coalesce(getvariable('aza_csv'), map {}::map(varchar, struct(path varchar, nullstr varchar, extras varchar[]))),
    map([$extract], [struct_pack(path := $path, nullstr := $nullstr, extras := $extras::varchar[])]));

create or replace temp macro aza_read_csv(extract, fields) as table
select *
from read_csv(getvariable('aza_csv')[extract].path, header = false, skip = 1, auto_detect = false, delim = ',',
              quote = '"', escape = '"', strict_mode = true, null_padding = true,
              nullstr = getvariable('aza_csv')[extract].nullstr, columns = fields);
