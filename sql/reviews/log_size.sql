select count(*) from review_log
