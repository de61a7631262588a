-- finding_ids shared by more than one finding (must be 0).
select count(*) from (select finding_id from findings group by finding_id having count(*) > 1)
