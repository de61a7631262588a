"""The one job: the whole asset graph, run in process (DuckDB takes one writer per file)."""

import dagster as dg

# Overlapping runs share one database: the run-level lock in AuditDatabase serialises them, and this tag
# lets a Dagster instance queue them (see dagster.yaml: tag_concurrency_limits on aza-audit/database).
RUN_TAGS = {"aza-audit/database": "writer"}

nightly_audit = dg.define_asset_job(
    name="nightly_audit",
    selection=dg.AssetSelection.all(),
    description="Ingest the extracts, run every rule, publish the audit report.",
    executor_def=dg.in_process_executor,
    tags=RUN_TAGS,
)
