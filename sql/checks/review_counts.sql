-- Counts for the review_state asset's metadata: reviews in the log, findings of this run with a review.
select (select count(*) from review_log), (select count(*) from review_status r join findings f using (finding_id))
