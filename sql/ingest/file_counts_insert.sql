insert into file_counts values ($file, $present, $format, $sha256, $rows_read, $rows_accepted, $rows_quarantined)
