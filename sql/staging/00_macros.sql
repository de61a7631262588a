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

create or replace macro num(t) as try_cast(trim(t) as double);

create or replace macro bad_date(t, column_name) as
    case when t is not null and iso_date(t) is null then column_name || ' is not a date (YYYY-MM-DD)' end;

create or replace macro bad_number(t, column_name) as
    case when t is not null and num(t) is null then column_name || ' is not a number' end;

create or replace macro missing(t, column_name) as
    case when nullif(trim(t), '') is null then column_name || ' is missing' end;
