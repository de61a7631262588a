-- Episodes, patients with one, and episodes active at as-of (asset metadata).
select count(*), count(distinct patient_id), count(*) filter (where is_active) from episodes
