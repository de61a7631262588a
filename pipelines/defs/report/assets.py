"""Report: a thin wrapper of `pipelines.lib.audit.publish` (run.json, the CSVs, report.html,
worklist.xlsx and the shareable versions, published atomically; the run's findings go to history)."""


import dagster as dg

from pipelines.defs.failures import one_line_failure
from pipelines.defs.resources import AuditDatabase, AuditSettings, run_context
from pipelines.lib import audit


@dg.asset(
    group_name="report",
    deps=["findings", "rule_summary", "monitoring_compliance", "lymphocyte_response", "rule_rates_by_month",
          "quarantine", "review_state"],
    description="The audit report and its files, published atomically into the output folder "
                "(by default `reports/<as-of>/`).",
)
def audit_report(context: dg.AssetExecutionContext, database: AuditDatabase, settings: AuditSettings):
    with one_line_failure('publish'), database.get_connection() as con:
        out_dir, info = audit.publish(con, run_context(context, database, settings), log=context.log.info)
    return dg.MaterializeResult(metadata={
        "report": dg.MetadataValue.path(str(out_dir / "report.html")),
        "output folder": dg.MetadataValue.path(str(out_dir)),
        "findings": info["findings"]["total"],
        "rules not evaluated": len(info["rules_not_evaluated"]),
        "seconds by stage": dg.MetadataValue.json(info["timings"]),
    })
