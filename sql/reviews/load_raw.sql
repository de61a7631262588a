-- The review rows read (all text, registered by pipelines/lib/reviews.py as raw_reviews_arrow) into
-- raw_reviews, what 10_stage.sql types.
create or replace table raw_reviews as select * from raw_reviews_arrow
