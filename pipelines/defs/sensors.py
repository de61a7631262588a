"""Start an audit when an extract file or a review file changes: the cursor is a hash of the files' contents,
so touching a file (new mtime, same bytes) starts nothing, and a new extract (or a worklist.xlsx saved back into
the reviews folder) starts exactly one run. When a run of the nightly job fails, `audit_failure_notice` sends
a notice by SMTP (when AZA_AUDIT_SMTP_HOST is set): the run id and time only."""


import hashlib
from datetime import date
from pathlib import Path

import dagster as dg

from pipelines.defs.jobs import nightly_audit
from pipelines.defs.schedules import audited_where, run_config_for
from pipelines.lib.extracts import file_sha256
from pipelines.lib.settings import env

WATCHED_SUFFIXES = {".csv", ".parquet", ".json", ".ndjson", ".gz", ".xlsx"}


def extract_fingerprint(directory: Path) -> str | None:
    """sha256 over (file name, content sha256) of every extract file; None when there is none."""
    if not directory.is_dir():
        return None
    files = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in WATCHED_SUFFIXES
                   and not p.name.startswith(("~$", ".")))
    if not files:
        return None
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.name}\0{file_sha256(path)}\n".encode())
    return digest.hexdigest()


@dg.sensor(job=nightly_audit, minimum_interval_seconds=300,
           default_status=dg.DefaultSensorStatus.STOPPED,
           description=f"Runs the audit when the content of an extract file or a review file changes: "
                       f"{audited_where()}.")
def extract_change_sensor(context: dg.SensorEvaluationContext):
    directory = Path(env("AZA_AUDIT_EXTRACTS"))
    extracts = extract_fingerprint(directory)
    if extracts is None:
        return dg.SkipReason(f"no extract files in {directory}")
    reviews = extract_fingerprint(Path(env("AZA_AUDIT_REVIEWS")))
    fingerprint = extracts if reviews is None else hashlib.sha256(f"{extracts}\n{reviews}".encode()).hexdigest()
    if fingerprint == context.cursor:
        return dg.SkipReason("extract and review files unchanged since the last run")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint, run_config=run_config_for(date.today().isoformat(), str(directory)),
                         tags={"aza-audit/trigger": "extract-change"})


@dg.run_failure_sensor(monitored_jobs=[nightly_audit], default_status=dg.DefaultSensorStatus.STOPPED,
                       description="When a nightly_audit run fails, sends a notice by SMTP (AZA_AUDIT_SMTP_HOST): "
                                   "the run id and the time, never the error text.")
def audit_failure_notice(context: dg.RunFailureSensorContext):
    from datetime import datetime

    from pipelines.lib.worklist.digest import send_failure_notice, smtp_configured

    if not smtp_configured():
        return dg.SkipReason("AZA_AUDIT_SMTP_HOST / AZA_AUDIT_SMTP_TO not set")
    send_failure_notice(context.dagster_run.run_id, context.dagster_run.job_name, datetime.now())
