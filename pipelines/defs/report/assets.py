"""Report: run.json, findings/summary/quarantine CSVs, report.html, worklist.xlsx and the shareable
versions, written into a temporary folder and published atomically; the run's findings go to history."""


import datetime as dt

import dagster as dg

from pipelines.defs.resources import AuditDatabase, AuditSettings
from pipelines.lib.outputs import publish_run
from pipelines.lib.profiles import load_profile


@dg.asset(
    group_name="report",
    deps=["findings", "rule_summary", "monitoring_compliance", "lymphocyte_response", "rule_rates_by_month",
          "quarantine"],
    description="The audit report and its files, published atomically into reports/<as-of>/.",
)
def audit_report(context: dg.AssetExecutionContext, database: AuditDatabase, settings: AuditSettings):
    run = settings.run_settings(database.path)
    profile = load_profile(settings.profile)
    started = context.instance.get_run_stats(context.run_id).start_time if context.instance else None
    started_at = dt.datetime.fromtimestamp(started) if started else dt.datetime.now()
    with database.connect() as con:
        out_dir, info = publish_run(con, run, profile, context.run_id, started_at,
                                    log=context.log.info)
    return dg.MaterializeResult(metadata={
        "report": dg.MetadataValue.path(str(out_dir / "report.html")),
        "output folder": dg.MetadataValue.path(str(out_dir)),
        "findings": info["findings"]["total"],
        "rules not evaluated": len(info["rules_not_evaluated"]),
        "seconds by stage": dg.MetadataValue.json(info["timings"]),
    })
