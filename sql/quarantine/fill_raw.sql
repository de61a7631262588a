-- Put the text read back from the file (temp table quarantine_text) into the quarantine rows.
update quarantine
set raw = t.raw
from quarantine_text t
where quarantine.file = t.file and quarantine.line = t.line;
