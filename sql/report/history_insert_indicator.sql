insert into indicator_history values ($run_id, $as_of, $indicator, $site_id, $numerator, $denominator)
