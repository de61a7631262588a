"""The audit: one short sequence of stage functions over one frozen, typed `RunContext`.

    ctx = RunContext.create(RunSettings(extracts_dir=..., as_of=...), run_id="...")
    run(con, ctx)                      # ingest -> validate -> normalise -> episodes -> rules -> measures -> publish

Every front door goes through these functions: the Dagster assets (one thin wrapper per stage, so the
02:00 job, the UI and `aza-audit run` run exactly this), the benchmark (each stage timed) and the spec
harness (ingest to measures on inline rows). A stage reads what earlier stages wrote from the DuckDB
connection; what the ingest stage learnt about the input (format, mapping, events file) is kept in the
database too (`run_meta`), so a later stage in another Dagster step sees the same `RunInputs`.
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import runinfo
from .extracts import ExtractError
from .profiles import Profile, load_profile
from .settings import PLAUSIBLE_YEARS, RunSettings
from .staging import STAGING_ORDER, FileCounts, load_raw_extracts, reconcile, stage
from .sql import query_sql, scalar

Log = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


class ReconciliationError(RuntimeError):
    """Rows read != rows accepted + rows quarantined for some file: something was lost."""


@dataclass(frozen=True)
class RunContext:
    """One audit run: its settings, its profile, its id and start time. Built once, never changed."""

    settings: RunSettings
    profile: Profile
    run_id: str
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))

    @classmethod
    def create(cls, settings: RunSettings, run_id: str | None = None,
               started_at: dt.datetime | None = None, profile: Profile | None = None) -> "RunContext":
        return cls(settings=settings, profile=profile or load_profile(settings.profile),
                   run_id=run_id or f"local-{uuid.uuid4().hex[:12]}",
                   started_at=started_at or dt.datetime.now().replace(microsecond=0))

    @property
    def as_of(self) -> dt.date:
        return self.settings.as_of

    @property
    def params(self) -> dict[str, Any]:
        """The SQL parameters of the run: every profile parameter, the as-of date and the plausible dates."""
        low, high = PLAUSIBLE_YEARS
        return {**self.profile.sql_params(), "as_of": self.as_of,
                "date_min": dt.date(low, 1, 1), "date_max": dt.date(high, 12, 31)}

    @property
    def output_dir(self) -> Path:
        return self.settings.output_dir

    @property
    def conversion_dir(self) -> Path:
        """Where a non-canonical extract is converted: beside the database, where patient data already lives."""
        return Path(self.settings.db_path).absolute().parent / "converted-extract"


@dataclass(frozen=True)
class RunInputs:
    """What the ingest stage found: the format, the canonical extract folder, the mapping report, and
    whether the optional events file was there."""

    format: str
    format_detected: bool
    canonical_dir: str
    mapping: dict | None
    events_present: bool

    @property
    def available(self) -> set[str]:
        """The optional inputs present (a rule that `requires` one not here is not evaluated)."""
        return {"events"} if self.events_present else set()


def run_inputs(con) -> RunInputs:
    meta = runinfo.all_meta(con)
    present = scalar(con, "run/events_present.sql")
    return RunInputs(format=meta.get("format", "canonical"), format_detected=meta.get("format_detected", True),
                     canonical_dir=meta.get("canonical_extracts_dir", ""), mapping=meta.get("mapping"),
                     events_present=bool(present))


# --- the stages ------------------------------------------------------------------------------------------


def resolve_format(con, ctx: RunContext, log: Log = _quiet) -> Path:
    """The canonical extract folder: the given one, or a conversion of OMOP/FHIR/Synthea/MIMIC files into
    `ctx.conversion_dir` (written by this stage and replaced at every run)."""
    from .formats import convert, detect_format

    source = Path(ctx.settings.extracts_dir)
    if not source.is_dir():
        raise ExtractError(str(source), "extract directory not found")
    requested = ctx.settings.format
    detected = detect_format(source) if requested is None else requested
    runinfo.set_meta(con, "format", detected)
    runinfo.set_meta(con, "format_detected", requested is None)
    log(f"extract format: {detected}{' (detected)' if requested is None else ''}")
    if detected == "canonical":
        runinfo.set_meta(con, "mapping", None)
        return source
    target = ctx.conversion_dir
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    report = convert(source, detected, target)
    runinfo.set_meta(con, "mapping", report.as_dict())
    log(f"converted {detected} into the canonical extract: "
        + ", ".join(f"{t.source} {t.rows_mapped}/{t.rows_read}" for t in report.tables))
    return target


def ingest(con, ctx: RunContext, log: Log = _quiet, check_outputs: bool = True) -> list[FileCounts]:
    """Format resolution, the raw read, typing and the quarantine; stops when counts do not reconcile.
    First (unless `check_outputs` is off: a run that publishes nothing) the output folder is checked, so
    that a run that could not publish says so now, not after the rules."""
    from .outputs import check_output

    if check_outputs:
        check_output(ctx)
    runinfo.reset(con)
    runinfo.set_meta(con, "settings", ctx.settings.as_dict())
    runinfo.set_meta(con, "run_id", ctx.run_id)
    last_logged: dict[str, int] = {}

    def progress(name: str, rows: int) -> None:
        if rows - last_logged.get(name, 0) >= 500_000:
            last_logged[name] = rows
            log(f"reading {name}: {rows:,} rows")

    with runinfo.timed(con, "read extracts"):
        extracts = resolve_format(con, ctx, log)
        runinfo.set_meta(con, "canonical_extracts_dir", str(extracts))
        loads = load_raw_extracts(con, extracts, progress=progress)
    with runinfo.timed(con, "stage and quarantine"):
        counts = stage(con, loads, ctx.params)
    broken = reconcile(counts)
    if broken:
        raise ReconciliationError(f"row counts do not reconcile for: {', '.join(broken)}")
    for c in counts:
        log(f"{c.file}: {c.rows_read:,} read, {c.rows_accepted:,} accepted, {c.rows_quarantined:,} quarantined"
            + ("" if c.present else " (file absent)"))
    return counts


def validate(con, ctx: RunContext, name: str):
    """The Great Expectations suite of one extract file on its staged table; results kept in DuckDB."""
    from .expectations import store_results, validate_table

    with runinfo.timed(con, f"expectations {name}"):
        outcomes = validate_table(con, f"stg_{name}", name)
        store_results(con, name, outcomes)
    return outcomes


def normalise(con, ctx: RunContext, log: Log = _quiet) -> None:
    """Codelists into DuckDB, then the normalised tables the rules read."""
    from .normalise import codelist_version, normalise as build_normalised

    with runinfo.timed(con, "normalise"):
        build_normalised(con, ctx.params)
    runinfo.set_meta(con, "codelist_version", codelist_version())
    warnings = sanity_warnings(con)
    runinfo.set_meta(con, "warnings", warnings)
    for warning in warnings:
        log(f"warning: {warning['message']}")


WARNING_TEXT = {
    "most_quarantined": "{file}: {rows:,} of {of_rows:,} rows were quarantined (more than half); the file may "
                        "not follow the extract contract (columns, dates, separators): see quarantine.csv",
    "after_as_of": "{file}: {rows:,} of {of_rows:,} rows are dated after the as-of date; the data may be "
                   "date-shifted (as MIMIC-IV is) or --as-of may be wrong",
    "no_azathioprine": "no azathioprine among {rows:,} patients and {of_rows:,} prescriptions: the drug names "
                       "or codes may not be in codelists/ (the report's data quality lists the unmapped drug names, "
                       "those that look like a thiopurine first)",
}


WARNING_SHARED = {  # the same, without exact counts, for the shareable report
    "most_quarantined": "{file}: more than half of the rows were quarantined; the file may not follow the "
                        "extract contract",
    "after_as_of": "{file}: more than half of the rows are dated after the as-of date; the data may be "
                   "date-shifted or the as-of date wrong",
    "no_azathioprine": "no azathioprine prescription was found among the accepted prescriptions",
}


def sanity_warnings(con) -> list[dict]:
    """The input-wide warnings of sql/checks/sanity.sql, with their sentence (counts only)."""

    rows = query_sql(con, "checks/sanity.sql").fetchall()
    return [{"code": code, "file": file, "rows": int(rows_), "of_rows": int(of_rows),
             "message": WARNING_TEXT[code].format(file=file, rows=int(rows_), of_rows=int(of_rows)),
             "shareable_message": WARNING_SHARED[code].format(file=file)}
            for code, file, rows_, of_rows in rows]


def episodes(con, ctx: RunContext, log: Log = _quiet) -> None:
    from .rules import build_episodes

    with runinfo.timed(con, "episodes"):
        build_episodes(con, ctx.profile, ctx.params)


def rules(con, ctx: RunContext, log: Log = _quiet, only: set[str] | None = None) -> list[dict]:
    """Every rule of sql/rules/ (or those in `only`) into `findings` and `rule_summary`."""
    from .rules import run_rules

    def progress(row: dict) -> None:
        if row["evaluated"]:
            log(f"{row['rule_id']}: {row['findings']:,} findings in {row['seconds']} s")
        else:
            log(f"{row['rule_id']}: not evaluated ({row['not_evaluated_reason']})")

    with runinfo.timed(con, "rules"):
        return run_rules(con, ctx.params, run_inputs(con).available, only=only, progress=progress)


def reviews(con, ctx: RunContext, log: Log = _quiet, checks: bool = True):
    """The care team's review files into the review log (bad rows quarantined), then each finding's review
    (review_status); the Great Expectations suite of the review rows read."""
    from .reviews import stage_reviews

    with runinfo.timed(con, "reviews"):
        counts = stage_reviews(con, ctx.params, ctx.settings.reviews_dir, ctx.run_id)
    if checks:
        validate(con, ctx, "reviews")
    for c in counts:
        log(f"{c.source}: {c.rows_read:,} review rows, {c.rows_accepted:,} accepted, "
            f"{c.rows_quarantined:,} quarantined")
    return counts


def measures(con, ctx: RunContext, log: Log = _quiet) -> None:
    from .measures import build_measures

    with runinfo.timed(con, "measures"):
        build_measures(con, ctx.params)


def publish(con, ctx: RunContext, log: Log = _quiet) -> tuple[Path, dict]:
    """run.json, the report files and the history, published atomically into `ctx.output_dir`."""
    from .outputs import publish_run

    return publish_run(con, ctx, log=log)


def run(con, ctx: RunContext, log: Log = _quiet, *, checks: bool = True, outputs: bool = True,
        only: set[str] | None = None) -> list[dict]:
    """The whole audit in order (what the Dagster job runs, step by step); returns the rule catalogue.
    `checks=False` skips the Great Expectations suites, `outputs=False` the publishing (the spec harness
    needs neither); `only` limits the rules."""
    ingest(con, ctx, log, check_outputs=outputs)
    if checks:
        for name in STAGING_ORDER:
            validate(con, ctx, name)
    normalise(con, ctx, log)
    episodes(con, ctx, log)
    catalogue = rules(con, ctx, log, only=only)
    reviews(con, ctx, log, checks=checks)
    measures(con, ctx, log)
    if outputs:
        publish(con, ctx, log)
    return catalogue


def run_audit_in(con, extracts_dir: Path, as_of: dt.date, profile: str | Profile = "default",
                 only: set[str] | None = None) -> list[dict]:
    """Ingest to measures on an open connection (no suites, no outputs): what the spec tests run."""
    profile = load_profile(profile) if isinstance(profile, str) else profile
    ctx = RunContext.create(RunSettings(extracts_dir=Path(extracts_dir), as_of=as_of, profile=profile.name,
                                        reviews_dir=None), profile=profile)
    return run(con, ctx, checks=False, outputs=False, only=only)
