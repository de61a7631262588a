"""Ingest: the extract files (any format) into typed staging tables and the quarantine.

A thin wrapper of `pipelines.lib.audit.ingest`. Metadata carries counts only: no value from a patient row
ever reaches Dagster."""


import dagster as dg

from pipelines.defs.failures import one_line_failure
from pipelines.defs.resources import AuditDatabase, AuditSettings, run_context
from pipelines.lib import audit
from pipelines.lib.normalise import table_counts
from pipelines.lib.staging import STAGING_ORDER

STAGED_KEYS = {name: f"stg_{name}" for name in STAGING_ORDER}


@dg.multi_asset(
    group_name="ingest",
    specs=[
        dg.AssetSpec(key, description=f"Accepted, typed rows of the {name} extract", group_name="ingest")
        for name, key in STAGED_KEYS.items()
    ] + [dg.AssetSpec("quarantine", description="Every rejected row: file, line, reasons, raw text",
                      group_name="ingest")],
    description="Read the extract files (streaming), type them and quarantine the rows that break the contract.",
)
def staged_extracts(context: dg.AssetExecutionContext, database: AuditDatabase, settings: AuditSettings):
    ctx = run_context(context, database, settings)
    with one_line_failure('ingest'), database.get_connection() as con:
        counts = audit.ingest(con, ctx, log=context.log.info)
        quarantined = table_counts(con, ("quarantine",))["quarantine"]
    for c in counts:
        yield dg.MaterializeResult(
            asset_key=STAGED_KEYS[c.file],
            metadata={
                "file present": c.present,
                "format": c.format or "",
                "sha256": c.sha256 or "",
                "rows read": c.rows_read,
                "rows accepted": c.rows_accepted,
                "rows quarantined": c.rows_quarantined,
            },
        )
    yield dg.MaterializeResult(asset_key="quarantine", metadata={"rows": quarantined})
