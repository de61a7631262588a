-- Rejected review rows to the quarantine, with every reason: counted, never applied.
insert into quarantine
select source, line, array_to_string(reasons, '; '), raw
from stg_reviews
where len(reasons) > 0;
