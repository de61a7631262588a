select key, value from run_meta
