-- The reasons a review given on the command line is refused (NULL when it can be recorded); then the scratch
-- table of that one row is dropped.
select reasons from stg_reviews
