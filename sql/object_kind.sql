-- Whether a name of the current schema is a table ('BASE TABLE', 'LOCAL TEMPORARY') or a view ('VIEW'), in
-- the run's database and in the connection's temporary catalog: a raw table is a temporary view over what
-- DuckDB's reader read, or a temporary table the exact reader filled (a database of an earlier version may
-- still hold them as tables or views of its own), and a new run replaces either.
select table_catalog, table_schema, table_type from information_schema.tables
where table_name = $name and table_schema = current_schema()
order by table_catalog = 'temp' desc
