"""Every night at 02:00 in the registry's timezone (AZA_AUDIT_TIMEZONE, default Europe/London),
audit the extract directory (AZA_AUDIT_EXTRACTS) as of the scheduled date."""


import os

import dagster as dg

from pipelines.defs.jobs import nightly_audit

NIGHTLY_CRON = os.environ.get("AZA_AUDIT_CRON", "0 2 * * *")
TIMEZONE = os.environ.get("AZA_AUDIT_TIMEZONE", "Europe/London")


def run_config_for(as_of: str, extracts_dir: str | None = None) -> dict:
    """The run config of a scheduled or sensed run, read from the environment when the run is requested
    (so a changed AZA_AUDIT_* variable takes effect without reloading the code)."""
    settings = {
        "as_of": as_of,
        "extracts_dir": extracts_dir or os.environ.get("AZA_AUDIT_EXTRACTS", "data/extracts"),
        "reports_dir": os.environ.get("AZA_AUDIT_REPORTS", "reports"),
        "profile": os.environ.get("AZA_AUDIT_PROFILE", "default"),
        "registry_name": os.environ.get("AZA_AUDIT_REGISTRY_NAME", "MS registry"),
    }
    return {"resources": {"settings": {"config": settings}}}


@dg.schedule(job=nightly_audit, cron_schedule=NIGHTLY_CRON, execution_timezone=TIMEZONE,
             default_status=dg.DefaultScheduleStatus.STOPPED,
             description="The nightly audit, as of the scheduled date.")
def nightly_audit_schedule(context: dg.ScheduleEvaluationContext):
    as_of = context.scheduled_execution_time.date().isoformat()
    return dg.RunRequest(run_key=f"nightly-{as_of}", run_config=run_config_for(as_of),
                         tags={"aza-audit/trigger": "schedule"})
