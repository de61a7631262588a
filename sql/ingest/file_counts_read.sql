select * from file_counts order by file
