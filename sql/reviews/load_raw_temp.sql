-- One review from the command line (aza-audit review): as load_raw.sql, in a temporary table.
create or replace temp table raw_reviews as select * from raw_reviews_arrow
