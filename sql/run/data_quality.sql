select file, note, rows from data_quality_notes where rows > 0
