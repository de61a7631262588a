-- The large files' rows are numbered by the order staging writes them (20_prescriptions.sql, 30_labs.sql,
-- 40_events.sql): DuckDB keeps a query's order in the table it writes only with this setting (its default).
set preserve_insertion_order = true;

-- Parsing helpers shared by the staging files. Strict ISO dates: `YYYY-MM-DD` only.
create or replace macro iso_date(t) as
    case when regexp_full_match(trim(t), '\d{4}-\d{2}-\d{2}') then try_cast(trim(t) as date) end;

-- Date-times in `T` or space form, optional seconds, fraction and zone (the zone is dropped: the date as
-- written is the date the sample was taken). One regular expression: group 1 is the text without its zone
-- when the whole text has this form, else '' (a zone starts with Z, + or -, which nothing before it can).
create or replace macro iso_timestamp(t) as
    try_cast(replace(nullif(regexp_extract(trim(t),
        '^(\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)(?:Z|[+-]\d{2}:?\d{2})?$', 1), ''),
        'T', ' ') as timestamp);

-- A number is finite: `nan`, `inf`, `-inf`, `1e400` are not numbers (they would pass every comparison wrong).
create or replace macro num(t) as
    case when isfinite(try_cast(trim(t) as double)) then try_cast(trim(t) as double) end;

-- A value given (its text `t` is not NULL) that did not parse (`parsed`, the text's iso_date or num, is NULL).
-- The staging files parse each field once, in their `typed` step, and pass both here.
create or replace macro bad_date(t, parsed, column_name) as
    case when t is not null and parsed is null then column_name || ' is not a date (YYYY-MM-DD)' end;

create or replace macro bad_number(t, parsed, column_name) as
    case when t is not null and parsed is null then column_name || ' is not a number' end;

create or replace macro missing(t, column_name) as
    case when nullif(trim(t), '') is null then column_name || ' is missing' end;

-- A date (already parsed) outside [lo, hi] ($date_min, $date_max: the plausible years of an extract).
create or replace macro implausible_date(d, lo, hi, column_name) as
    case when d < lo or d > hi then column_name || ' is not a plausible date (before ' || year(lo)
         || ' or after ' || year(hi) || ')' end;

-- The value if it is a plausible date, else NULL (for an optional field that is dropped, not the row).
create or replace macro plausible_or_null(d, lo, hi) as case when d between lo and hi then d end;
