-- csv_safe(t): a text cell that a spreadsheet would read as a formula (it starts with =, +, -, @, a tab
-- or a carriage return) gets a leading apostrophe (OWASP, CSV injection). The same rule as
-- pipelines/lib/report/safe.py spreadsheet_safe(), for the CSVs DuckDB streams with COPY.
create or replace macro csv_safe(t) as
    case when regexp_matches(t, '^[=+\-@\t\r]') then '''' || t else t end;
