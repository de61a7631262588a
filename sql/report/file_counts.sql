-- The extract files' counts (report data quality).
select * from file_counts order by file
