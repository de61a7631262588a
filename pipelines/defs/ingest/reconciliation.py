"""Blocking check: for every file, rows read = rows accepted + rows quarantined."""


import dagster as dg

from pipelines.defs.resources import AuditDatabase
from pipelines.lib.staging import read_file_counts


@dg.asset_check(asset="quarantine", blocking=True,
                description="Nothing lost: rows read = rows accepted + rows quarantined, for every file.")
def counts_reconcile(database: AuditDatabase) -> dg.AssetCheckResult:
    with database.get_connection() as con:
        counts = read_file_counts(con)
    broken = [c.file for c in counts if not c.reconciles]
    return dg.AssetCheckResult(
        passed=not broken,
        metadata={f"{c.file} read/accepted/quarantined": f"{c.rows_read}/{c.rows_accepted}/{c.rows_quarantined}"
                  for c in counts} | {"files not reconciling": ", ".join(broken) or "none"},
    )
