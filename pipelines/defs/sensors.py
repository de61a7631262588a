"""Start an audit when an extract file changes: the cursor is a hash of the files' contents, so touching a
file (new mtime, same bytes) starts nothing, and a new extract starts exactly one run."""


import hashlib
from datetime import date
from pathlib import Path

import dagster as dg

from pipelines.defs.jobs import nightly_audit
from pipelines.defs.schedules import audited_where, run_config_for
from pipelines.lib.extracts import file_sha256
from pipelines.lib.settings import env

WATCHED_SUFFIXES = {".csv", ".parquet", ".json", ".ndjson", ".gz"}


def extract_fingerprint(directory: Path) -> str | None:
    """sha256 over (file name, content sha256) of every extract file; None when there is none."""
    if not directory.is_dir():
        return None
    files = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in WATCHED_SUFFIXES)
    if not files:
        return None
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.name}\0{file_sha256(path)}\n".encode())
    return digest.hexdigest()


@dg.sensor(job=nightly_audit, minimum_interval_seconds=300,
           default_status=dg.DefaultSensorStatus.STOPPED,
           description=f"Runs the audit when the content of an extract file changes: {audited_where()}.")
def extract_change_sensor(context: dg.SensorEvaluationContext):
    directory = Path(env("AZA_AUDIT_EXTRACTS"))
    fingerprint = extract_fingerprint(directory)
    if fingerprint is None:
        return dg.SkipReason(f"no extract files in {directory}")
    if fingerprint == context.cursor:
        return dg.SkipReason("extract files unchanged since the last run")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint, run_config=run_config_for(date.today().isoformat(), str(directory)),
                         tags={"aza-audit/trigger": "extract-change"})
