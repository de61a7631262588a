-- The first and last line in the file of every quarantined row of one extract file (a quoted field may
-- span lines), so that the row's text can be read back from the file.
select q.line, r._line_end
from quarantine q
join (
    select 'patients' as extract, _line, _line_end from raw_patients
    union all select 'prescriptions', _line, _line_end from raw_prescriptions
    union all select 'labs', _line, _line_end from raw_labs
    union all select 'events', _line, _line_end from raw_events
    union all select 'sites', _line, _line_end from raw_sites
) r on r.extract = $extract and r._line = q.line
where q.file = $file
order by q.line
