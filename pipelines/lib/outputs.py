"""The run's outputs: run.json, the report files (pipelines.lib.report), the history, and atomic publishing.

Order: the run is recorded as running; everything is written into a temporary folder beside the target;
the folder is renamed into place; only then is the run marked completed. A failure anywhere leaves the
previous reports (and `reports/latest`) untouched and the run marked failed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import smtplib
from importlib import metadata
from pathlib import Path

from . import history, runinfo, worklist
from .normalise import codelist_version
from .publish import check_target, check_writable, staging_dir
from .sql import query_sql, records, scalar, table_exists


def version() -> str:
    try:
        return metadata.version("aza-audit")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def extract_fingerprint(con) -> str:
    """Identifies the audited extract: the input files' hashes (file counts table)."""
    rows = query_sql(con, "run/fingerprint_inputs.sql").fetchall()
    return hashlib.sha256("\n".join(f"{f}:{h}" for f, h in rows).encode()).hexdigest()


def build_run_info(con, ctx) -> dict:
    """Everything run.json holds: settings, profile and every parameter, inputs, counts, timings, version.
    Exact counts and names (care-team material, CONTRACT.md): no patient-level row. `ctx` is the
    run's `pipelines.lib.audit.RunContext`: this is the edge where it is serialised."""
    from .audit import run_inputs

    run, profile = ctx.settings, ctx.profile
    found = run_inputs(con)
    inputs = {
        r["file"]: {
            "present": r["present"], "format": r["format"], "sha256": r["sha256"], "rows_read": r["rows_read"],
            "rows_accepted": r["rows_accepted"], "rows_quarantined": r["rows_quarantined"],
        }
        for r in records(con, "ingest/file_counts_read.sql")
    }
    catalogue = records(con, "findings/catalog.sql")
    return {
        "tool": "aza-audit",
        "version": version(),
        "run_id": ctx.run_id,
        "as_of": run.as_of.isoformat(),
        "started_at": ctx.started_at.isoformat(timespec="seconds"),
        "registry_name": run.registry_name,
        "extracts_dir": str(run.extracts_dir),
        "format": found.format,
        "format_detected": found.format_detected,
        "mapping": found.mapping,
        "profile": profile.as_dict(),
        "codelist_version": codelist_version(),
        "inputs": inputs,
        "extract_fingerprint": extract_fingerprint(con),
        "events_present": found.events_present,
        "warnings": runinfo.all_meta(con).get("warnings", []),
        "quarantine_reasons": records(con, "run/quarantine_reasons.sql"),
        "data_quality": records(con, "run/data_quality.sql"),
        "findings": {
            "total": scalar(con, "findings/count.sql"),
            "by_rule": {r["rule_id"]: r["findings"] for r in catalogue if r["evaluated"]},
            "by_severity": dict(query_sql(con, "run/findings_by_severity.sql").fetchall()),
        },
        "rules": [
            {"rule_id": r["rule_id"], "severity": r["severity"], "evaluated": r["evaluated"],
             "not_evaluated_reason": r["not_evaluated_reason"], "findings": r["findings"],
             "seconds": r["seconds"], "population": r["population"]}
            for r in catalogue
        ],
        "rules_not_evaluated": {r["rule_id"]: r["not_evaluated_reason"] for r in catalogue if not r["evaluated"]},
        "timings": runinfo.timings(con),
        "reviews": review_counts(con, run.reviews_dir),
    }


def review_counts(con, folder) -> dict:
    """The review files read (rows read = accepted + quarantined, per file) and the log's size: counts only."""
    from .reviews import ensure_review_tables

    ensure_review_tables(con)
    files = []
    if table_exists(con, "stg_reviews"):
        cursor = query_sql(con, "reviews/counts.sql")
        files = [dict(zip([d[0] for d in cursor.description], row)) for row in cursor.fetchall()]
    logged = scalar(con, "reviews/log_size.sql")
    return {"folder": None if folder is None else str(folder), "files": files, "reviews_in_log": logged}


def _send_digest(out_dir: Path, info: dict, log=None) -> None:
    """The digest by email when SMTP is configured. A published run stays published if sending fails: the
    failure is one line in the log (the digest is in the output folder either way)."""
    from .worklist import digest

    if not digest.smtp_configured():
        return
    try:
        sent = digest.send_digest((out_dir / "digest.txt").read_text(encoding="utf-8"), info)
    except (OSError, smtplib.SMTPException) as exc:
        if log:
            log(f"warning: the digest could not be sent ({type(exc).__name__}: {exc})")
        return
    if log:
        log(f"digest sent to {sent} recipient(s)")


def check_output(ctx) -> None:
    """The output folder can be replaced without deleting what a run did not write, and it does not hold
    the database or the extracts; the output and database folders are writable (exit 2 otherwise)."""
    from .report import OUTPUT_NAMES

    settings = ctx.settings
    protected = [settings.db_path, settings.extracts_dir]
    if settings.reviews_dir is not None:
        protected.append(settings.reviews_dir)
    check_target(ctx.output_dir, OUTPUT_NAMES, protected=protected)
    check_writable(ctx.output_dir.absolute().parent, "output folder")
    check_writable(Path(settings.db_path).absolute().parent, "database")


def write_json(path: Path, info: dict) -> None:
    path.write_text(json.dumps(info, indent=2, default=str) + "\n", encoding="utf-8")


def publish_run(con, ctx, latest: bool | None = None, log=None) -> tuple[Path, dict]:
    """Write every output into a temporary folder and publish it atomically as the run's output folder."""
    from .expectations import build_data_docs
    from .report import write_outputs

    run, profile, run_id, started_at = ctx.settings, ctx.profile, ctx.run_id, ctx.started_at
    out_dir = ctx.output_dir
    check_output(ctx)
    fingerprint = extract_fingerprint(con)
    history.record_run(con, run_id, run.as_of, profile.name, fingerprint, started_at=started_at,
                       out_dir=str(out_dir))
    try:
        with staging_dir(out_dir, run_id, latest=latest) as tmp:
            info = build_run_info(con, ctx)
            with runinfo.timed(con, "report"):
                docs = build_data_docs(con, tmp)
                info["data_docs"] = str(docs.relative_to(tmp)) if docs else None
                previous = history.previous_run(con, run_id=run_id)
                info["previous_run_id"] = previous["run_id"] if previous else None
                worklist.prepare(con, ctx.params, info["previous_run_id"])
                history.store_findings(con, run_id, run.as_of)
                info["outputs"] = {name: str(Path(p).relative_to(tmp)) for name, p in
                                   write_outputs(con, info, tmp, worklist_ready=True).items()}
            info["finished_at"] = dt.datetime.now().isoformat(timespec="seconds")
            info["timings"] = runinfo.timings(con)
            write_json(tmp / "run.json", info)
        history.finish_run(con, run_id, "completed", out_dir=str(out_dir))
    except BaseException:
        history.finish_run(con, run_id, "failed", out_dir=str(out_dir))
        raise
    if log:
        log(f"published {out_dir}")
    _send_digest(out_dir, info, log)
    return out_dir, info
