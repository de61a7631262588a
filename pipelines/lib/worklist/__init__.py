"""The care team's worklist (RULES.md "Acting on findings", CONTRACT.md): one row per patient with at least
one current finding, with what the team needs to act on it, and what changed since the previous night.

`prepare(con, params, previous_run_id)` builds, in DuckDB (sql/worklist/):

- ``finding_tracking``: every finding with current, first_seen, its lifecycle state (new, escalated,
  persisting), days open and overdue, and its review;
- ``worklist_resolved``: the previous night's current findings that are not current now, with the reason;
- ``worklist_patients`` and ``worklist_tests``: the worklist rows, in order of urgency.

Everything here is patient-level: it goes into worklist.html, worklist.xlsx, findings.csv and the database
only. The digest (`pipelines.lib.worklist.digest`) takes counts from these tables, never a patient id.
"""

from __future__ import annotations

from typing import Any

from ..sql import query_sql, run_sql, scalar, table_exists

HTML_LIMIT = 5000  # patients shown in worklist.html (most urgent first); worklist.xlsx has every one


def prepare(con, params: dict[str, Any], previous_run_id: str | None) -> None:
    """Build finding_tracking, worklist_resolved, worklist_patients and worklist_tests for this run."""
    from ..history import ensure_history_tables
    from ..reviews import build_review_status, ensure_review_tables

    ensure_history_tables(con)
    ensure_review_tables(con)
    if not table_exists(con, "review_status"):
        build_review_status(con, params)
    p = {**params, "previous_run_id": previous_run_id}
    run_sql(con, "worklist/10_tracking.sql", p)
    run_sql(con, "worklist/20_resolved.sql", p)
    run_sql(con, "worklist/30_patients.sql", p)


def _records(cursor) -> list[dict[str, Any]]:
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def patients(con, limit: int | None = HTML_LIMIT) -> list[dict[str, Any]]:
    """*Patient-level.* The worklist rows, most urgent first, each with its open findings (`issues`) and
    its monitored groups (`tests`)."""
    rows = _records(query_sql(con, "worklist/patients.sql", {"limit": limit}))
    if not rows:
        return rows
    run_sql(con, "worklist/shown.sql", {"n": len(rows)})
    issues: dict[str, list] = {}
    for issue in _records(query_sql(con, "worklist/issues.sql")):
        issues.setdefault(issue["patient_id"], []).append(issue)
    tests: dict[str, list] = {}
    for test in _records(query_sql(con, "worklist/tests.sql")):
        tests.setdefault(test["patient_id"], []).append(test)
    for row in rows:
        row["issues"] = issues.get(row["patient_id"], [])
        row["tests"] = tests.get(row["patient_id"], [])
    return rows


def total(con) -> int:
    return scalar(con, "worklist/patient_count.sql")


def timelines(con) -> dict[str, dict[str, list]]:
    """*Patient-level.* For the patients of the last `patients()` call: regimens, tests, TPMT, weights,
    events and findings, each a list of records, keyed by patient id."""
    out: dict[str, dict[str, list]] = {}
    for kind in ("regimens", "tests", "tpmt", "weights", "events", "findings"):
        for row in _records(query_sql(con, f"worklist/timeline_{kind}.sql")):
            out.setdefault(row.pop("patient_id"), {}).setdefault(kind, []).append(row)
    return out


def resolved(con) -> list[dict[str, Any]]:
    return _records(query_sql(con, "worklist/resolved_list.sql"))
