"""`aza-audit run` and `aza-audit demo` (CONTRACT.md): both materialise the same `nightly_audit` job the
schedule runs, in process, with the settings given on the command line.

Exit status: 0 when the audit ran (findings are not errors); 2 when the input is unusable (one line on
stderr naming the file and the column); 1 for anything else, with a message, never a bare traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

EXIT_OK, EXIT_ERROR, EXIT_UNUSABLE = 0, 1, 2


def _date(text: str) -> date:
    from pipelines.lib.settings import PLAUSIBLE_YEARS

    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None
    if not PLAUSIBLE_YEARS[0] <= value.year <= PLAUSIBLE_YEARS[1]:
        raise argparse.ArgumentTypeError(f"{text}: an as-of date must lie between {PLAUSIBLE_YEARS[0]} and "
                                         f"{PLAUSIBLE_YEARS[1]}")
    return value


def _parser() -> argparse.ArgumentParser:
    from pipelines.lib.formats import FORMATS
    from pipelines.lib.profiles import available_profiles
    from pipelines.lib.settings import VARIABLES, env

    profiles = available_profiles()
    parser = argparse.ArgumentParser(prog="aza-audit", description="Audit azathioprine therapy in an MS registry.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="audit an extract directory")
    run.add_argument("--extracts", required=True, type=Path, help="directory of patients, prescriptions, labs[, events]")
    run.add_argument("--as-of", type=_date, default=None, help="audit date (default: today)")
    run.add_argument("--out", type=Path, default=None, help="output folder (default: reports/<as-of>/)")
    run.add_argument("--profile", default=env("AZA_AUDIT_PROFILE"),
                     help=f"monitoring profile: {', '.join(profiles)} "
                          f"(default: $AZA_AUDIT_PROFILE or {VARIABLES['AZA_AUDIT_PROFILE'].default})")
    run.add_argument("--db", type=Path, default=None,
                     help=f"DuckDB file (default: $AZA_AUDIT_DB or {VARIABLES['AZA_AUDIT_DB'].default})")
    run.add_argument("--format", default=None, choices=list(FORMATS),
                     help="extract format (default: detected from the files)")
    run.add_argument("--reviews", type=Path, default=None,
                     help="folder of review files the care team returns (default: $AZA_AUDIT_REVIEWS or "
                          f"{VARIABLES['AZA_AUDIT_REVIEWS'].default})")
    run.add_argument("--registry-name", default=env("AZA_AUDIT_REGISTRY_NAME"),
                     help="the registry's name in the report header (default: $AZA_AUDIT_REGISTRY_NAME or "
                          f"{VARIABLES['AZA_AUDIT_REGISTRY_NAME'].default!r})")
    demo = sub.add_parser("demo", help="generate a synthetic registry, then audit it")
    demo.add_argument("--patients", type=int, default=2000, help="patients in the synthetic registry (default 2000)")
    demo.add_argument("--out", type=Path, default=None, help="output folder (default: reports/<as-of>/)")
    demo.add_argument("--extracts", type=Path, default=Path(VARIABLES["AZA_AUDIT_EXTRACTS"].default),
                      help=f"where the synthetic extract is written (default: {VARIABLES['AZA_AUDIT_EXTRACTS'].default})")
    demo.add_argument("--seed", type=int, default=20261126, help="random seed (the same seed gives the same registry)")
    demo.add_argument("--as-of", type=_date, default=None, help="audit date (default: today)")
    demo.add_argument("--db", type=Path, default=None,
                      help=f"DuckDB file (default: $AZA_AUDIT_DB or {VARIABLES['AZA_AUDIT_DB'].default})")
    demo.add_argument("--profile", default="default", help=f"monitoring profile: {', '.join(profiles)} (default: default)")
    demo.add_argument("--reviews", type=Path, default=None,
                      help="folder of review files the care team returns (default: $AZA_AUDIT_REVIEWS or "
                           f"{VARIABLES['AZA_AUDIT_REVIEWS'].default})")
    from pipelines.lib.reviews import STATUSES

    review = sub.add_parser("review", help="record one review of a finding straight into the database")
    review.add_argument("finding_id", help="the finding's id (findings.csv, worklist.html, worklist.xlsx)")
    review.add_argument("--status", required=True, choices=STATUSES,
                        help="acknowledged, actioned, or an exception: exception-clinical (not clinically "
                             "appropriate), exception-declined (the patient declined), not-applicable (a data error)")
    review.add_argument("--note", default=None, help="free text; stays in the database and the care-team outputs")
    review.add_argument("--by", required=True, help="the reviewer's initials or staff id")
    review.add_argument("--expires", type=_date, default=None,
                        help="when an exception stops counting (default: 365 days after the review, the profile's "
                             "review_expiry_days)")
    review.add_argument("--on", type=_date, default=None, help="the review date (default: today)")
    review.add_argument("--db", type=Path, default=None,
                        help=f"DuckDB file (default: $AZA_AUDIT_DB or {VARIABLES['AZA_AUDIT_DB'].default})")
    return parser


class _TerminalProgress(logging.Handler):
    """Prints the audit's own progress lines (not Dagster's framework events) on stderr."""

    def __init__(self, stream):
        super().__init__(level=logging.INFO)
        self.stream = stream
        self.started = time.monotonic()

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        if meta.get("dagster_event") is not None:
            return
        message = meta.get("orig_message") or record.getMessage()
        if message.startswith("Dependencies for step ") and message.endswith("Not executing."):
            return  # Dagster's skip notices after a failed step: the one-line reason follows on its own
        step = meta.get("step_key") or ""
        elapsed = time.monotonic() - self.started
        self.stream.write(f"[{elapsed:7.1f}s] {step + ': ' if step else ''}{message}\n")
        self.stream.flush()


def _progress_logger():
    import dagster as dg

    @dg.logger(description="the audit's progress lines on the terminal")
    def terminal(init_context):
        log = logging.Logger("aza-audit", level=logging.INFO)
        log.addHandler(_TerminalProgress(sys.stderr))
        return log

    return terminal


def _silent_logger():
    import dagster as dg

    @dg.logger(description="no terminal output (tests)")
    def silent(init_context):
        log = logging.Logger("aza-audit-silent", level=logging.CRITICAL)
        log.addHandler(logging.NullHandler())
        return log

    return silent


def _instance():
    import dagster as dg

    return dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()


def _unusable_error(exc: BaseException):
    from pipelines.lib.extracts import ExtractError

    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ExtractError):
            return exc
        exc = exc.__cause__ or exc.__context__ or getattr(exc, "user_exception", None)
    return None


def run_audit(extracts: Path, out: Path | None = None, as_of: date | None = None, profile: str = "default",
              db: Path | None = None, fmt: str | None = None, registry_name: str = "MS registry",
              quiet: bool = False, reviews: Path | None = None) -> int:
    """Materialise the nightly_audit job on these settings; returns the exit status."""
    import dagster as dg

    from pipelines.defs.resources import AuditDatabase, AuditSettings, DatabaseBusyError
    from pipelines.definitions import build_definitions
    from pipelines.lib.extracts import ExtractError
    from pipelines.lib.profiles import ProfileError, load_profile
    from pipelines.lib.settings import env

    as_of = as_of or date.today()
    db_path = str(db) if db else env("AZA_AUDIT_DB")
    try:
        load_profile(profile)
    except ProfileError as exc:
        print(f"aza-audit: {exc}", file=sys.stderr)
        return EXIT_ERROR
    settings = AuditSettings(extracts_dir=str(extracts), as_of=as_of.isoformat(), profile=profile,
                             out_dir=str(out) if out else "", format=fmt or "", registry_name=registry_name,
                             reports_dir=env("AZA_AUDIT_REPORTS"),
                             reviews_dir=str(reviews) if reviews else env("AZA_AUDIT_REVIEWS"))
    try:  # before the run takes the database lock: a folder it cannot use is one line, exit 2
        from pipelines.lib.audit import RunContext
        from pipelines.lib.outputs import check_output

        check_output(RunContext.create(settings.run_settings(db_path)))
    except ExtractError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_UNUSABLE
    loggers = {"silent": _silent_logger()} if quiet else {"terminal": _progress_logger()}
    defs = build_definitions(database=AuditDatabase.from_env(database=db_path), settings=settings, loggers=loggers)
    job = defs.resolve_job_def("nightly_audit")
    try:
        result = job.execute_in_process(
            instance=_instance(),
            tags={"aza-audit/trigger": "cli"},
            run_config={"loggers": {name: {} for name in loggers}},
            raise_on_error=False,
        )
    except DatabaseBusyError as exc:
        print(f"aza-audit: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if result.success:
        if not quiet:
            report_dir = settings.run_settings(db_path).output_dir
            print(f"aza-audit: audit as of {as_of} complete: {report_dir / 'report.html'}")
        return EXIT_OK
    return _failure_status(result)


def _failure_status(result) -> int:
    """Exit status and one clear line from a failed run (never a traceback): the one-line description
    of the step's `dg.Failure` (pipelines/defs/failures.py), else the first line of the root error."""
    from pipelines.defs.failures import UNUSABLE
    from pipelines.lib.errors import first_line_of_text

    for event in result.all_events:
        if not event.is_step_failure:
            continue
        data = event.step_failure_data
        failure = data.user_failure_data
        if failure is not None and failure.description:
            unusable = UNUSABLE in (failure.metadata or {})
            print(failure.description if unusable else f"aza-audit: {failure.description}", file=sys.stderr)
            return EXIT_UNUSABLE if unusable else EXIT_ERROR
        root = data.error
        while root is not None and root.cause is not None:
            root = root.cause
        line = first_line_of_text(root.message, root.cls_name) if root is not None else "unknown error"
        print(f"aza-audit: step {event.step_key} failed: {line}", file=sys.stderr)
        return EXIT_ERROR
    for event in result.all_events:  # a resource (the database, its lock) could not start
        error = getattr(event.event_specific_data, "error", None)
        if event.is_failure and error is not None:
            root = error
            while root.cause is not None:
                root = root.cause
            print(f"aza-audit: {first_line_of_text(root.message, root.cls_name)}", file=sys.stderr)
            return EXIT_ERROR
    print("aza-audit: the audit run failed", file=sys.stderr)
    return EXIT_ERROR


def demo(args) -> int:
    from pipelines.lib.synthetic import generate

    as_of = args.as_of or date.today()
    print(f"aza-audit: generating a synthetic registry of {args.patients:,} patients in {args.extracts}",
          file=sys.stderr)
    started = time.monotonic()
    manifest = generate(args.extracts, patients=args.patients, seed=args.seed, as_of=as_of)
    rows = manifest.get("rows", manifest.get("rows_written", {}))
    print(f"aza-audit: generated in {time.monotonic() - started:.1f}s: "
          + ", ".join(f"{k} {v:,}" for k, v in rows.items() if isinstance(v, int)), file=sys.stderr)
    status = run_audit(args.extracts, out=args.out, as_of=as_of, profile=args.profile, db=args.db,
                       registry_name="Synthetic MS registry (demo)", reviews=args.reviews)
    if status == EXIT_OK:
        from pipelines.lib.settings import RunSettings, env

        out = RunSettings(extracts_dir=args.extracts, as_of=as_of, out_dir=args.out,
                          reports_dir=Path(env("AZA_AUDIT_REPORTS"))).output_dir
        print(f"\nOutputs in {out}/:\n  care team: worklist.html  worklist.xlsx  report.html  findings.csv  "
              f"summary.csv  quarantine.csv  run.json  digest.txt\n  shareable: report_shareable.html  "
              f"summary_shareable.csv\nOpen {out / 'worklist.html'} (the patients to act on) or "
              f"{out / 'report.html'} (the audit) in a browser.")
    return status


def review(args) -> int:
    """`aza-audit review`: one review into the database's review log (the next run applies it)."""
    import duckdb

    from pipelines.lib.reviews import ReviewError, record_review
    from pipelines.lib.settings import env

    db_path = Path(args.db) if args.db else Path(env("AZA_AUDIT_DB"))
    if not db_path.is_file():
        print(f"aza-audit: {db_path}: no audit database here (run an audit first, or give --db)", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        con = duckdb.connect(str(db_path))
    except duckdb.IOException:
        print(f"aza-audit: {db_path} is in use by an audit run; try again when it has finished", file=sys.stderr)
        return EXIT_ERROR
    try:
        added = record_review(con, args.finding_id, args.status, args.by, note=args.note, expires_on=args.expires,
                              reviewed_on=args.on)
    except ReviewError as exc:
        print(f"aza-audit: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    finally:
        con.close()
    print(f"aza-audit: review of {args.finding_id} recorded ({args.status})" if added else
          f"aza-audit: the same review of {args.finding_id} was already recorded", file=sys.stderr)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            return demo(args)
        if args.command == "review":
            return review(args)
        return run_audit(args.extracts, out=args.out, as_of=args.as_of, profile=args.profile, db=args.db,
                         fmt=args.format, registry_name=args.registry_name, reviews=args.reviews)
    except KeyboardInterrupt:
        print("aza-audit: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # the last guard: a message, never a bare traceback
        unusable = _unusable_error(exc)
        if unusable is not None:
            print(str(unusable), file=sys.stderr)
            return EXIT_UNUSABLE
        print(f"aza-audit: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
