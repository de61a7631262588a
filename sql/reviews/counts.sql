-- Rows read, accepted and quarantined per review file (rows read = accepted + quarantined), and how many of
-- the accepted were new to the log this run.
select
    source,
    count(*) as rows_read,
    count(*) filter (where len(reasons) = 0) as rows_accepted,
    count(*) filter (where len(reasons) > 0) as rows_quarantined
from stg_reviews
group by source
order by source
