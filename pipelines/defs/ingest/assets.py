"""Ingest: the extract files into raw tables, then typed staging tables and the quarantine.

Metadata carries counts only: no value from a patient row ever reaches Dagster."""


import shutil
from pathlib import Path

import dagster as dg

from pipelines.defs.resources import AuditDatabase, AuditSettings
from pipelines.lib import runinfo
from pipelines.lib.extracts import ExtractError
from pipelines.lib.staging import STAGING_ORDER, load_raw_extracts, reconcile, stage

STAGED_KEYS = {name: f"stg_{name}" for name in STAGING_ORDER}


def resolve_extracts(context, settings: AuditSettings, con, work_dir: Path) -> Path:
    """The canonical extract directory: the given one, or a conversion of OMOP/FHIR/Synthea/MIMIC files
    into `work_dir` (beside the database, where patient data already lives; replaced at every run)."""
    from pipelines.lib.formats import convert, detect_format

    source = Path(settings.extracts_dir)
    if not source.is_dir():
        raise ExtractError(str(source), "extract directory not found")
    requested = settings.format or None
    detected = detect_format(source) if requested is None else requested
    runinfo.set_meta(con, "format", detected)
    runinfo.set_meta(con, "format_detected", requested is None)
    context.log.info(f"extract format: {detected}{' (detected)' if requested is None else ''}")
    if detected == "canonical":
        runinfo.set_meta(con, "mapping", None)
        return source
    target = work_dir
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    report = convert(source, detected, target)
    runinfo.set_meta(con, "mapping", report.as_dict())
    context.log.info(f"converted {detected} into the canonical extract: "
                     + ", ".join(f"{t.source} {t.rows_mapped}/{t.rows_read}" for t in report.tables))
    return target


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
    run = settings.run_settings(database.path)
    with database.connect() as con:
        runinfo.reset(con)
        runinfo.set_meta(con, "settings", run.as_dict())
        runinfo.set_meta(con, "run_id", context.run_id)
        with runinfo.timed(con, "read extracts"):
            extracts = resolve_extracts(context, settings, con, Path(database.path).parent / "converted-extract")
            runinfo.set_meta(con, "canonical_extracts_dir", str(extracts))
            last_logged: dict[str, int] = {}

            def progress(name: str, rows: int) -> None:
                if rows - last_logged.get(name, 0) >= 500_000:
                    last_logged[name] = rows
                    context.log.info(f"reading {name}: {rows:,} rows")

            loads = load_raw_extracts(con, extracts, progress=progress)
        with runinfo.timed(con, "stage and quarantine"):
            counts = stage(con, loads, run.as_of)
        broken = reconcile(counts)
        if broken:
            raise dg.Failure(f"row counts do not reconcile for: {', '.join(broken)}")
        quarantined = con.execute("select count(*) from quarantine").fetchone()[0]
    for c in counts:
        context.log.info(f"{c.file}: {c.rows_read:,} read, {c.rows_accepted:,} accepted, "
                         f"{c.rows_quarantined:,} quarantined" + ("" if c.present else " (file absent)"))
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
