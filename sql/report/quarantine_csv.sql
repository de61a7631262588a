-- quarantine.csv: every rejected row with its file, line and reasons. Streamed by COPY ... TO.
copy (
    select file, line, reasons, raw
    from quarantine
    order by file, line
) to $path (format csv, header true, delimiter ',')
