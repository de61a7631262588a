-- Per extract file: present, format, hash and the reconciled counts (filled by pipelines/lib/staging.py).
create or replace table file_counts (file varchar, present boolean, format varchar, sha256 varchar,
                                     rows_read bigint, rows_accepted bigint, rows_quarantined bigint)
