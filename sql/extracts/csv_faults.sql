-- The rows of csv_read the fast reader cannot vouch for: too few fields (DuckDB padded the row with NULLs,
-- where an empty field reads as '') or one too many (c_over filled). With the row count, which the caller
-- checks against the file's line count (a blank line, which DuckDB skips, or a value over two lines would
-- shift every line number after it). This is the scan that meets any row DuckDB cannot read strictly.
select count(*) as rows_read,
       count(*) filter (where padded or c_over is not null) as faulty
from (
    select list_count([*columns(* exclude (c_over))]) < len([*columns(* exclude (c_over))]) as padded, c_over
    from csv_read
)
