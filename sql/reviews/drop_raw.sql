drop table if exists raw_reviews
