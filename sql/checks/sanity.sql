-- Warnings about the input as a whole (counts only): the run completes, and says so on the terminal, in
-- run.json and at the top of the report. One row per warning: code, file, rows, of_rows.
--   most_quarantined  more than half of a file's rows were quarantined
--   after_as_of       more than half of a file's dated rows are dated after the as-of date (date-shifted
--                     data such as MIMIC-IV, or a wrong --as-of)
--   no_azathioprine   prescriptions were accepted but none is azathioprine (rows = the accepted patients)
select 'most_quarantined' as code, file, rows_quarantined as rows, rows_read as of_rows
from file_counts
where present and rows_read > 0 and rows_quarantined * 2 > rows_read
union all
select 'after_as_of', f.file, q.rows, f.rows_read
from file_counts f
join (
    select split_part(file, '.', 1) as extract, count(*) as rows
    from quarantine
    where reasons like '%after the as-of date%'
    group by all
) q on q.extract = f.file
where f.rows_read > 0 and q.rows * 2 > f.rows_read
union all
select 'no_azathioprine', 'prescriptions', (select count(*) from patients), (select count(*) from stg_prescriptions)
where (select count(*) from stg_prescriptions) > 0 and (select count(*) from aza_prescriptions) = 0
