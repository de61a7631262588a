-- Whether the database has a table or view of this name, any case.
select count(*) from information_schema.tables where lower(table_name) = lower($name)
