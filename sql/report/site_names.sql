-- The name of each site (the optional sites file), for the reports; a name is a short label, cut to 80
-- characters. Sites without a row here are shown by their code.
select site_id, left(site_name, 80) as site_name from stg_sites order by site_id
