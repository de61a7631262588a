"""The reporting layer: everything a run writes into its output folder.

``write_outputs(con, run_info, out_dir)`` writes, into ``out_dir`` (normally the temporary folder of
``pipelines.lib.publish.staging_dir``):

care team (patient-identifiable)
    ``findings.csv``, ``summary.csv``, ``quarantine.csv`` (streamed by DuckDB ``COPY ... TO``),
    ``report.html`` (self-contained), ``worklist.xlsx``
shareable (no patient-level rows; every count through ``pipelines.lib.disclosure``)
    ``summary_shareable.csv``, ``report_shareable.html``

``run_info``: a ``pipelines.lib.runinfo.RunInfo`` (or run.json's dict, read into one at once): the as-of date,
the profile, the run id, registry name, versions, inputs, timings, whether events were supplied, the Data Docs
folder (None; relative to ``out_dir``; or absolute, linked relatively), the previous run (else found in
``run_history``) and the folder ``out_dir`` will be published as (for the relative Data Docs link).

When ``run_id`` is set, the headline indicators are kept in ``indicator_history`` so that the next run can
show the change since this one.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pandas as pd

from .. import disclosure, history, worklist
from ..runinfo import RunInfo
from ..sql import query_sql, run_sql
from ..worklist import digest
from ..worklist.html import write_worklist_html
from . import data
from .render import care_team_context, render, rule_totals, shareable_context, true_outliers, true_signals
from .safe import spreadsheet_safe

__all__ = ["write_outputs", "write_shareable_summary"]

# Every file a run writes into its output folder (run.json and data_docs/ by pipelines.lib.outputs).
REPORT_FILES = ("findings.csv", "summary.csv", "quarantine.csv", "report.html", "worklist.html", "worklist.xlsx",
                "digest.txt", "summary_shareable.csv", "report_shareable.html")
OUTPUT_NAMES = (*REPORT_FILES, "run.json", "data_docs")

SUMMARY_COLUMNS = ["rule_id", "site_id", "patients_evaluated", "patients_flagged", "findings", "rate", "status"]


def write_outputs(con, run_info: RunInfo | dict[str, Any], out_dir: Path, *, worklist_ready: bool = False) -> dict[str, Path]:
    """Write every output file into ``out_dir``; returns ``{name: path}``. ``worklist_ready``: the caller has
    already built this run's worklist tables (``worklist.prepare``, as ``outputs.publish_run`` does before it
    stores the history), so they are not built again."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / name for name in REPORT_FILES}

    run = RunInfo.of(run_info)  # run.json's dict is read once, here, into the typed form
    history.ensure_history_tables(con)  # the worklist and changes read findings_history
    previous = data.resolve_previous_run(con, run)
    prev_id = previous["run_id"] if previous else None
    params = data.worklist_params(run)
    if not worklist_ready:
        worklist.prepare(con, params, prev_id)  # finding_tracking: current, first seen, lifecycle, reviews

    # worklist.xlsx is written (by a worker process when it is large) while the CSVs and the reports are
    # written: it needs only the worklist tables and the rules' totals, so it starts first (at 1,000,000
    # patients it is the longest part of the stage). Imported here, not at the top: the worker imports the
    # xlsx module first, and that imports this package.
    from ..worklist.xlsx import start_worklist_xlsx

    run_sql(con, "report/summary_view.sql")
    book = start_worklist_xlsx(con, run, prev_id, paths["worklist.xlsx"], rule_totals(
        data.frame(con, "report/rule_catalog.sql"), data.frame(con, "report/rule_summary_rows.sql")))
    try:
        # CSVs: streamed by DuckDB, never through pandas; text a spreadsheet would run is neutralised
        run_sql(con, "report/00_csv_safe.sql")
        query_sql(con, "report/findings_csv.sql", {"path": str(paths["findings.csv"]),
                                                   "as_of": run.as_of})
        query_sql(con, "report/summary_csv.sql", {"path": str(paths["summary.csv"])})
        if data.table_exists(con, "quarantine"):
            query_sql(con, "report/quarantine_csv.sql", {"path": str(paths["quarantine.csv"])})
        else:
            paths["quarantine.csv"].write_text("file,line,reasons,raw\n", encoding="utf-8")

        agg = data.gather(con, run, previous)
        if run.run_id:
            history.store_indicators(
                con, run.run_id, run.as_of,
                agg.indicators.to_dict("records"),
            )

        # care team
        care = care_team_context(
            agg, run, out_dir, data.worklist_summary(con), data.retrospective(con),
            data.change_lists(con, prev_id), data.expectation_examples(con),
        )
        paths["report.html"].write_text(render("report.html.j2", care), encoding="utf-8")
        write_worklist_html(con, run, prev_id, paths["worklist.html"])
        paths["digest.txt"].write_text(digest.text(digest.counts(con, params), run), encoding="utf-8")

        # shareable: the one disclosure step, then everything shared is rendered from its result alone
        shared = disclosure.apply(agg, disclosure.params_from_profile(run.profile))
        shareable = shareable_context(shared, run, out_dir, true_outliers(agg), true_signals(agg))
        paths["report_shareable.html"].write_text(render("report.html.j2", shareable), encoding="utf-8")
        write_shareable_summary(shared.rule_summary, paths["summary_shareable.csv"])
    except BaseException:
        with contextlib.suppress(Exception):
            book.result()  # waited for and its exported rows removed; the run's own error is the one raised
        raise
    book.result()
    return paths


def write_shareable_summary(shared_summary, path: Path) -> Path:
    """summary.csv's rows from the disclosure-controlled summary (`disclosure.apply`): suppressed cells
    empty, rates from the rounded counts."""
    table = shared_summary[SUMMARY_COLUMNS].copy()
    for column in ("patients_evaluated", "patients_flagged", "findings"):
        table[column] = pd.array([v if isinstance(v, int) else None for v in table[column]], dtype="Int64")
    table["rate"] = table["rate"].astype("float64")
    for column in ("rule_id", "site_id", "status"):
        table[column] = table[column].map(spreadsheet_safe)
    table[SUMMARY_COLUMNS].to_csv(path, index=False, float_format="%.4f")
    return path
