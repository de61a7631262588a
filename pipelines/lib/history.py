"""Run and findings history: the tables that persist across nightly runs.

Tables (created on first use; every other table is rebuilt by each run):

- ``run_history(run_id, as_of, profile, started_at, finished_at, status, out_dir, extract_fingerprint)``:
  one row per run. ``status`` is ``running``, ``completed`` or ``failed``. ``extract_fingerprint`` (added to
  the columns of ARCHITECTURE.md) identifies the extract that was audited, e.g. a hash of the input files'
  sha256; it is what makes "the same night re-run" recognisable.
- ``findings_history(run_id, as_of, <findings columns>)``: the ``findings`` of each completed run.
- ``indicator_history(run_id, as_of, indicator, site_id, numerator, denominator)``: the report's headline
  indicators, so that the next report can show the change since this run.

A *night* is the key ``(as_of, profile, extract_fingerprint)``. When a run of a night completes
(``finish_run(..., status="completed")``), every earlier run of the same night (completed or failed) is
deleted with its findings and indicators: re-running the same night replaces its rows instead of doubling
them. A run that fails leaves the previous run of that night in place (its own row stays, as ``failed``).

``previous_run`` is the run that "changes since the previous run" compares with: the latest *completed* run
of the same profile, other than the current night, that is either of an earlier as-of date, or of the same
as-of date on a different extract (an extract corrected and re-run the same day) that finished before this
run started. Runs of another profile are never compared: a change of schedule is not a change in care.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from .sql import query_sql, run_many, run_sql, scalar

def ensure_history_tables(con) -> None:
    """Create the persistent tables when they do not exist yet (never drops anything)."""
    run_sql(con, "report/history_tables.sql")


def _profile_name(profile: Any) -> str:
    if isinstance(profile, Mapping):
        return str(profile.get("name"))
    return str(getattr(profile, "name", profile))


def record_run(
    con,
    run_id: str,
    as_of: dt.date,
    profile: Any,
    extract_fingerprint: str,
    *,
    started_at: dt.datetime | None = None,
    status: str = "running",
    out_dir: str | None = None,
) -> None:
    """Register a run as it starts (``status="running"``). Recording the same ``run_id`` again updates it.

    Recording with ``status="completed"`` (or ``"failed"``) is the same as recording and then ``finish_run``.
    """
    ensure_history_tables(con)
    run_sql(
        con,
        "report/history_record_run.sql",
        {
            "run_id": run_id,
            "as_of": as_of,
            "profile": _profile_name(profile),
            "started_at": started_at or dt.datetime.now(),
            "status": status,
            "out_dir": None if out_dir is None else str(out_dir),
            "extract_fingerprint": extract_fingerprint,
        },
    )
    if status != "running":
        finish_run(con, run_id, status, out_dir=out_dir)


def store_findings(con, run_id: str, as_of: dt.date) -> int:
    """Copy the current ``findings`` table into ``findings_history`` under ``run_id`` (replacing any rows
    already stored for that run). Returns the number of rows stored."""
    ensure_history_tables(con)
    run_sql(con, "report/history_store_findings.sql", {"run_id": run_id, "as_of": as_of})
    return scalar(con, "report/history_count_findings.sql", {"run_id": run_id})


def store_indicators(con, run_id: str, as_of: dt.date, rows: list[Mapping[str, Any]]) -> None:
    """Keep this run's headline indicators (``indicator, site_id, numerator, denominator``)."""
    ensure_history_tables(con)
    run_sql(con, "report/history_delete_indicators.sql", {"run_id": run_id})
    if rows:
        run_many(
            con, "report/history_insert_indicator.sql",
            [
                {
                    "run_id": run_id, "as_of": as_of, "indicator": r["indicator"], "site_id": r["site_id"],
                    "numerator": r["numerator"], "denominator": r["denominator"],
                }
                for r in rows
            ],
        )


def finish_run(
    con,
    run_id: str,
    status: str = "completed",
    *,
    finished_at: dt.datetime | None = None,
    out_dir: str | None = None,
) -> None:
    """Mark a run ``completed`` or ``failed``. On completion, earlier runs of the same night are replaced."""
    if status not in {"completed", "failed"}:
        raise ValueError(f"status must be 'completed' or 'failed', got {status!r}")
    ensure_history_tables(con)
    params = {
        "run_id": run_id,
        "status": status,
        "finished_at": finished_at or dt.datetime.now(),
        "out_dir": None if out_dir is None else str(out_dir),
    }
    con.begin()
    try:
        run_sql(con, "report/history_finish_run.sql", params)
        if status == "completed":
            run_sql(con, "report/history_replace_night.sql", {"run_id": run_id})
        con.commit()
    except Exception:
        con.rollback()
        raise
    if status == "failed":
        run_sql(con, "report/history_forget_failed.sql", {"run_id": run_id})


def get_run(con, run_id: str) -> dict[str, Any] | None:
    ensure_history_tables(con)
    cur = query_sql(con, "report/history_get_run.sql", {"run_id": run_id})
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row))


def previous_run(
    con,
    as_of: dt.date | None = None,
    *,
    run_id: str | None = None,
    profile: Any = None,
    extract_fingerprint: str | None = None,
) -> dict[str, Any] | None:
    """The run to compare with (see the module docstring), as a dict of its ``run_history`` row, or None.

    Give ``run_id`` (the current run; its as-of, profile, fingerprint and start time are read from
    ``run_history``), or ``as_of`` with optionally ``profile`` and ``extract_fingerprint``. With only
    ``as_of``, the latest completed run of an earlier as-of date, any profile, is returned.
    """
    ensure_history_tables(con)
    started_at = None
    if run_id is not None:
        current = get_run(con, run_id)
        if current is None:
            raise KeyError(f"run {run_id!r} is not in run_history")
        as_of = current["as_of"]
        profile = current["profile"]
        extract_fingerprint = current["extract_fingerprint"]
        started_at = current["started_at"]
    if as_of is None:
        raise ValueError("give as_of or run_id")
    cur = query_sql(
        con,
        "report/history_previous_run.sql",
        {
            "run_id": run_id,
            "as_of": as_of,
            "profile": None if profile is None else _profile_name(profile),
            "extract_fingerprint": extract_fingerprint,
            "started_at": started_at,
        },
    )
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row))


def changes(con, run_id: str, previous_run_id: str | None = None) -> dict[str, Any]:
    """New and resolved finding_ids of ``run_id`` against ``previous_run_id`` (default: ``previous_run``).

    Returns ``{"previous_run_id", "new": [...], "resolved": [...]}``, ids sorted; with no previous run
    ``previous_run_id`` is None and both lists are empty (nothing to compare with, not "all new").
    The current run's findings are read from ``findings_history``, so ``store_findings`` comes first.
    """
    if previous_run_id is None:
        prev = previous_run(con, run_id=run_id)
        previous_run_id = prev["run_id"] if prev else None
    if previous_run_id is None:
        return {"previous_run_id": None, "new": [], "resolved": []}
    params = {"run_id": run_id, "previous_run_id": previous_run_id}
    new = [r[0] for r in query_sql(con, "report/history_new_ids.sql", params).fetchall()]
    resolved = [r[0] for r in query_sql(con, "report/history_resolved_ids.sql", params).fetchall()]
    return {"previous_run_id": previous_run_id, "new": new, "resolved": resolved}
