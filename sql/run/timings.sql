select stage, seconds from run_timings
