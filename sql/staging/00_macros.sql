-- Parsing helpers shared by the staging files. Strict ISO dates: `YYYY-MM-DD` only.
create or replace macro iso_date(t) as
    case when regexp_full_match(trim(t), '\d{4}-\d{2}-\d{2}') then try_cast(trim(t) as date) end;

-- Date-times in `T` or space form, optional seconds, fraction and zone (the zone is dropped: the date as
-- written is the date the sample was taken).
create or replace macro iso_timestamp(t) as
    case when regexp_full_match(trim(t),
              '\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?')
         then try_cast(replace(regexp_extract(trim(t), '^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?'),
                               'T', ' ') as timestamp) end;

-- A number is finite: `nan`, `inf`, `-inf`, `1e400` are not numbers (they would pass every comparison wrong).
create or replace macro num(t) as
    case when isfinite(try_cast(trim(t) as double)) then try_cast(trim(t) as double) end;

create or replace macro bad_date(t, column_name) as
    case when t is not null and iso_date(t) is null then column_name || ' is not a date (YYYY-MM-DD)' end;

create or replace macro bad_number(t, column_name) as
    case when t is not null and num(t) is null then column_name || ' is not a number' end;

create or replace macro missing(t, column_name) as
    case when nullif(trim(t), '') is null then column_name || ' is missing' end;

-- A date (already parsed) outside [lo, hi] ($date_min, $date_max: the plausible years of an extract).
create or replace macro implausible_date(d, lo, hi, column_name) as
    case when d < lo or d > hi then column_name || ' is not a plausible date (before ' || year(lo)
         || ' or after ' || year(hi) || ')' end;

-- The value if it is a plausible date, else NULL (for an optional field that is dropped, not the row).
create or replace macro plausible_or_null(d, lo, hi) as case when d between lo and hi then d end;
