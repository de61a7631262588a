"""One Great Expectations suite per extract file (expectations/<file>.json), run as a Dagster asset check
on the staged table, by GX's SQL execution engine inside the run's DuckDB database
(pipelines/lib/expectations/engine.py is the one adapter).

Results (with a few offending values) are stored in the database for the care-team report and the Data
Docs; Dagster metadata carries counts only. A failed expectation without `mostly` is an ERROR; one that
tolerates a share of exceptions is a WARN."""


import dagster as dg

from pipelines.defs.failures import one_line_failure
from pipelines.defs.resources import AuditDatabase, AuditSettings, run_context
from pipelines.lib import audit


def _suite_check(name: str, asset_key: str):
    @dg.asset_check(asset=asset_key, name=f"{name}_suite",
                    description=f"Great Expectations suite expectations/{name}.json on {asset_key}")
    def _check(context: dg.AssetCheckExecutionContext, database: AuditDatabase,
               settings: AuditSettings) -> dg.AssetCheckResult:
        with one_line_failure(f"expectations {name}"), database.get_connection() as con:
            outcomes = audit.validate(con, run_context(context, database, settings), name)
        failed = [o for o in outcomes if not o.success]
        hard = [o for o in failed if o.mostly is None or o.error]
        return dg.AssetCheckResult(
            passed=not failed,
            severity=dg.AssetCheckSeverity.ERROR if hard else dg.AssetCheckSeverity.WARN,
            metadata={
                "expectations evaluated": len(outcomes),
                "expectations failed": len(failed),
                "unexpected rows": sum(o.unexpected_count or 0 for o in outcomes),
                "failed expectations": ", ".join(
                    f"{o.expectation}({o.column_name or ''})" for o in failed) or "none",
            },
        )

    return _check


def build_extract_checks(asset_keys: dict[str, str]) -> list:
    """One check per extract file: {file name: staged asset key}."""
    return [_suite_check(name, key) for name, key in asset_keys.items()]
