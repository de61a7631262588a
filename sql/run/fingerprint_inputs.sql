-- The input files and their hashes: what identifies the audited extract.
select file, coalesce(sha256, '') from file_counts order by file
