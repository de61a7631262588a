"""The one Dagster entry point: every asset, check, job, schedule and sensor, and the resources.

Global policy applied once here: the in-process executor (DuckDB allows one writer per file) and the
run-level database lock of AuditDatabase."""

import dagster as dg

from pipelines.defs.audit import assets as audit_assets
from pipelines.defs.ingest import assets as ingest_assets
from pipelines.defs.ingest.reconciliation import counts_reconcile
from pipelines.defs.ingest.checks import build_extract_checks
from pipelines.defs.jobs import nightly_audit
from pipelines.defs.report import assets as report_assets
from pipelines.defs.resources import AuditDatabase, AuditSettings
from pipelines.defs.schedules import nightly_audit_schedule
from pipelines.defs.sensors import audit_failure_notice, extract_change_sensor


ASSETS = dg.load_assets_from_modules([ingest_assets, audit_assets, report_assets])
ASSET_CHECKS = [counts_reconcile, *build_extract_checks(ingest_assets.STAGED_KEYS | {"reviews": "review_state"})]


def build_definitions(database: AuditDatabase | None = None, settings: AuditSettings | None = None,
                      loggers: dict | None = None) -> dg.Definitions:
    """The definitions, with the resources (and, for the CLI, the terminal logger) given."""
    return dg.Definitions(
        assets=ASSETS,
        asset_checks=ASSET_CHECKS,
        jobs=[nightly_audit],
        schedules=[nightly_audit_schedule],
        sensors=[extract_change_sensor, audit_failure_notice],
        resources={"database": database or AuditDatabase.from_env(),
                   "settings": settings or AuditSettings.from_env()},
        executor=dg.in_process_executor,
        loggers=loggers,
    )


defs = build_definitions()
