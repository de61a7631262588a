-- Accepted reviews not seen before to the log (a file read again the next night adds nothing).
insert into review_log
select review_key, nextval('review_seq'), source, line, finding_id, status, note, reviewed_by, reviewed_on,
       expires_on, cast($recorded_at as timestamp), $run_id
from (
    select * from stg_reviews s
    where len(s.reasons) = 0
      and not exists (select 1 from review_log l where l.review_key = s.review_key)
    qualify row_number() over (partition by s.review_key order by s.source, s.line) = 1
    order by s.source, s.line
);
