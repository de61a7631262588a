-- Whether a name of the current schema is a table ('BASE TABLE') or a view ('VIEW'): a raw table is a view
-- over what DuckDB's reader read, or a table the exact reader filled, and a new run replaces either.
select table_type from information_schema.tables
where table_name = $name and table_schema = current_schema()
