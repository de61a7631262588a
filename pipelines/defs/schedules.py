"""Every night at AZA_AUDIT_CRON (default 02:00) in the registry's timezone (AZA_AUDIT_TIMEZONE, default
Europe/London), audit the extract directory (AZA_AUDIT_EXTRACTS) as of the scheduled date."""


import dagster as dg

from pipelines.defs.jobs import nightly_audit
from pipelines.lib.settings import env

NIGHTLY_CRON = env("AZA_AUDIT_CRON")
TIMEZONE = env("AZA_AUDIT_TIMEZONE")


def audited_where() -> str:
    """Which folder, database and profile a scheduled or sensed run audits (for the descriptions)."""
    return (f"extracts {env('AZA_AUDIT_EXTRACTS')}, database {env('AZA_AUDIT_DB')}, "
            f"profile {env('AZA_AUDIT_PROFILE')}, reviews from {env('AZA_AUDIT_REVIEWS')}, "
            f"reports into {env('AZA_AUDIT_REPORTS')}")


def run_config_for(as_of: str, extracts_dir: str | None = None) -> dict:
    """The run config of a scheduled or sensed run, read from the environment when the run is requested
    (so a changed AZA_AUDIT_* variable takes effect without reloading the code)."""
    settings = {
        "as_of": as_of,
        "extracts_dir": extracts_dir or env("AZA_AUDIT_EXTRACTS"),
        "reports_dir": env("AZA_AUDIT_REPORTS"),
        "reviews_dir": env("AZA_AUDIT_REVIEWS"),
        "profile": env("AZA_AUDIT_PROFILE"),
        "registry_name": env("AZA_AUDIT_REGISTRY_NAME"),
    }
    return {"resources": {"settings": {"config": settings}}}


@dg.schedule(job=nightly_audit, cron_schedule=NIGHTLY_CRON, execution_timezone=TIMEZONE,
             default_status=dg.DefaultScheduleStatus.STOPPED,
             description=f"The nightly audit, as of the scheduled date: {audited_where()}.")
def nightly_audit_schedule(context: dg.ScheduleEvaluationContext):
    as_of = context.scheduled_execution_time.date().isoformat()
    return dg.RunRequest(run_key=f"nightly-{as_of}", run_config=run_config_for(as_of),
                         tags={"aza-audit/trigger": "schedule"})
