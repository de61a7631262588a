-- quarantine.csv: every rejected row with its file, line and reasons. Streamed by COPY ... TO.
copy (
    select csv_safe(file) as file, line, csv_safe(reasons) as reasons, csv_safe(raw) as raw
    from quarantine
    order by quarantine.file, quarantine.line
) to $path (format csv, header true, delimiter ',')
