"""worklist.html: the care team's worklist as one self-contained page (no network, no external file).

One row per patient with at least one finding on the worklist, most urgent first; filters (site, severity,
issue, new, unreviewed, text), a sticky header and a live count; a row opens the patient's timeline.
*Patient-level*: a care-team output only. Text from the data is escaped by Jinja's autoescape and, inside
the SVG, by `timeline.svg`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..runinfo import RunInfo
from ..sql import query_sql, table_exists
from . import HTML_LIMIT, patients, resolved, timelines, total
from .timeline import svg

RESOLVED_LIMIT = 500
REASON_TEXT = {
    "died": "the patient died",
    "treatment stopped": "treatment stopped",
    "test done": "the test was done",
    "no longer current": "no longer current (now retrospective)",
    "data changed": "the data changed or was removed",
}


def context(con, run_info: RunInfo | dict[str, Any], previous_run_id: str | None) -> dict[str, Any]:
    from ..reviews import STATUS_TEXT

    run = RunInfo.of(run_info)
    as_of = run.as_of
    params = run.params
    max_mg_per_kg = float(params["max_mg_per_kg_day"])
    rows = patients(con, HTML_LIMIT)
    monitored = [dict(zip(("test", "label"), r)) for r in
                 query_sql(con, "worklist/monitored.sql").fetchall()]
    drawn = timelines(con) if rows else {}
    for row in rows:
        row["timeline"] = svg(row, drawn.get(row["patient_id"], {}), monitored, as_of, max_mg_per_kg)
        row["severities"] = sorted({i["severity"] for i in row["issues"]})
        row["tests_by_group"] = {t["test"]: t for t in row["tests"]}
    cursor = query_sql(con, "worklist/counts.sql")
    counts = dict(zip([d[0] for d in cursor.description], cursor.fetchall()[0]))
    resolved_rows = resolved(con) if previous_run_id else []
    by_reason: dict[str, int] = {}
    for r in resolved_rows:
        by_reason[r["reason"]] = by_reason.get(r["reason"], 0) + 1
    titles = dict(query_sql(con, "worklist/rule_titles.sql").fetchall())
    # the optional sites file's names (codes when absent)
    site_names = dict(query_sql(con, "report/site_names.sql").fetchall()) if table_exists(con, "stg_sites") else {}
    rules_present = sorted({rule for row in rows for rule in row["rules"]}, key=lambda r: titles.get(r, r))
    return {
        "registry_name": run.registry_name,
        "as_of": as_of,
        "profile_name": run.profile_name,
        "run_id": run.run_id,
        "previous_run_id": previous_run_id,
        "rows": rows,
        "total": total(con),
        "monitored": monitored,
        "sites": sorted({str(r["site_id"]) for r in rows if r["site_id"] is not None}),
        "site_names": {str(k): str(v) for k, v in site_names.items()},
        "rules": [(r, titles.get(r, r)) for r in rules_present],
        "severities": ("critical", "high", "medium", "low", "info"),
        **counts,
        "resolved": resolved_rows[:RESOLVED_LIMIT], "resolved_total": len(resolved_rows),
        "resolved_by_reason": by_reason, "reason_text": REASON_TEXT, "status_text": STATUS_TEXT,
        "escalate_after_days": params.get("escalate_after_days"),
    }


def write_worklist_html(con, run_info: RunInfo | dict[str, Any], previous_run_id: str | None, path: Path) -> Path:
    from ..report.render import TEMPLATES, environment
    from markupsafe import Markup

    env = environment()
    page = context(con, run_info, previous_run_id)
    page["css"] = Markup((TEMPLATES / "worklist.css").read_text(encoding="utf-8"))
    page["js"] = Markup((TEMPLATES / "worklist.js").read_text(encoding="utf-8"))
    Path(path).write_text(env.get_template("worklist.html.j2").render(**page), encoding="utf-8")
    return Path(path)
