-- The rows of csv_read the fast reader cannot vouch for: too few fields (DuckDB padded the row with NULLs
-- from the end, so its last field c_last is NULL, where an empty field reads as '') or one too many (c_over
-- filled). With the row count, which the caller checks against the file's line count (a blank line, which
-- DuckDB skips, or a value over two lines would shift every line number after it). This is the scan that
-- meets any row DuckDB cannot read strictly: every field is read (counted), so that text which is not UTF-8
-- is found here, wherever it is, and not in staging.
select count(*) as rows_read,
       count(*) filter (where c_last is null or c_over is not null) as faulty,
       count(columns(* exclude (c_last, c_over)))  -- one more column per field, which the caller ignores
from csv_read
