insert into schedule_windows values ($window_no, $start_offset, $end_offset)
