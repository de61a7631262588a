select file, reason, rows from quarantine_reasons
