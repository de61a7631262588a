"""worklist.xlsx: the pharmacist's workbook. *Patient-level*: care team only.

Sheets, in order:

- **Worklist**: one row per patient with a finding on the worklist (the rows of worklist.html, in the same
  order of urgency), with their open issues, treatment, tests and review.
- **Review**: one row per open finding, with the review columns of CONTRACT.md (`finding_id, status, note,
  reviewed_by, reviewed_on, expires_on`; status as a drop-down). Fill them in and save the workbook into the
  reviews folder: the next run reads them (pipelines.lib.reviews). Rows left empty are not reviews.
- **Retrospective**: the findings that are not current (what happened, for the audit meeting) whose key date
  falls in the last RETRO_MONTHS months, per rule; the Summary counts the earlier ones, which are in
  findings.csv (`current` = false) with every other finding.
- **Summary**: the run, the counts, and the rules with their rates.

Two steps. `export` runs the sheets' queries in DuckDB and streams their rows into Parquet files in a folder
of its own inside the (temporary) output folder; `write_book` builds the workbook from those files alone, a
batch at a time, with no database. A workbook of more than PROCESS_ROWS rows is written by a worker process
while the run renders its reports on the other core (xlsxwriter is pure Python: 1.1 million cells take about
ten seconds); a small one in the run's own process. Either way the folder is removed after.
Written with xlsxwriter in ``constant_memory`` mode (rows streamed to disk, read in batches).
Every sheet: frozen header, autofilter, wrapped detail text, severity colours, printed landscape on A4, fit
to the page width with the header row repeated. A sheet holds at most Excel's 1,048,575 rows; the Summary
says when one was cut and points to findings.csv. No text is ever written as a formula or a link.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import math
import multiprocessing
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pyarrow.parquet as pq
import xlsxwriter

from ..report.safe import spreadsheet_safe
from ..reviews import COLUMNS as REVIEW_COLUMNS
from ..runinfo import RunInfo
from ..reviews import STATUS_TEXT, STATUSES
from ..sql import query_sql, relation, scalar

EXCEL_MAX_ROWS = 1_048_576
BATCH = 10_000
PROCESS_ROWS = 20_000  # a workbook of more rows is written by a worker process while the reports render
EXCEL_DAY_ZERO = dt.date(1899, 12, 31)  # Excel's 1900 date system: day 1 is 1 January 1900
RETRO_MONTHS = 12  # the Retrospective sheet: the past year (years of history are findings.csv's, not a worklist's)
SEVERITY_FILL = {"critical": "#F5B7B1", "high": "#FAD7A0", "medium": "#FCF3CF", "low": "#D6EAF8", "info": "#EAEDED"}

# (header, column, width, kind)
PATIENT_COLUMNS = (
    ("#", "urgency", 5, "int"),
    ("Patient", "patient_id", 12, "text"),
    ("Site", "site_id", 8, "text"),
    ("Most severe", "top_severity", 10, "severity"),
    ("Open issues", "issues_text", 60, "wrap"),
    ("Days overdue", "days_overdue", 9, "int"),
    ("New or escalated", "has_new", 10, "yes"),
    ("Not reviewed", "has_unreviewed", 9, "yes"),
    ("Still open after action", "still_open_after_action", 10, "yes"),
    ("Treatment", "treatment", 12, "text"),
    ("Episode start", "episode_start", 11, "date"),
    ("Dose mg/day", "daily_dose_mg", 8, "num"),
    ("Dose mg/kg", "mg_per_kg", 8, "num2"),
    ("Cumulative g", "cumulative_g", 10, "num"),
    ("TPMT", "tpmt_phenotype", 12, "text"),
)
REVIEW_SHEET_COLUMNS = (
    ("Patient", "patient_id", 12, "text"),
    ("Site", "site_id", 8, "text"),
    ("Severity", "severity", 9, "severity"),
    ("Issue", "title", 30, "wrap"),
    ("Test", "test", 8, "text"),
    ("Key date", "key_date", 11, "date"),
    ("What to do", "detail", 55, "wrap"),
    ("State", "state_text", 12, "text"),
    ("Current review", "current_review", 22, "wrap"),
    # the review columns (CONTRACT.md): these names are what the reviews reader looks for
    ("finding_id", "finding_id", 17, "text"),
    ("status", None, 18, "input"),
    ("note", None, 30, "input"),
    ("reviewed_by", None, 11, "input"),
    ("reviewed_on", None, 12, "input-date"),
    ("expires_on", None, 12, "input-date"),
)
assert tuple(h for h, *_ in REVIEW_SHEET_COLUMNS[-6:]) == REVIEW_COLUMNS
RETRO_COLUMNS = (
    ("Issue", "title", 30, "wrap"),
    ("Severity", "severity", 9, "severity"),
    ("Patient", "patient_id", 12, "text"),
    ("Site", "site_id", 8, "text"),
    ("Episode start", "episode_start", 11, "date"),
    ("Test", "test", 8, "text"),
    ("Key date", "key_date", 11, "date"),
    ("Detail", "detail", 70, "wrap"),
    ("Rule", "rule_id", 24, "text"),
    ("finding_id", "finding_id", 17, "text"),
)


class _Formats:
    def __init__(self, wb):
        self.header = wb.add_format({"bold": True, "bg_color": "#E4E7EB", "border": 1, "text_wrap": True,
                                     "valign": "top"})
        self.input_header = wb.add_format({"bold": True, "bg_color": "#D5F5E3", "border": 1, "text_wrap": True,
                                           "valign": "top"})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
        self.input_date = wb.add_format({"num_format": "yyyy-mm-dd", "valign": "top", "bg_color": "#F4FBF6",
                                         "border": 1, "border_color": "#C8D6CC"})
        self.input = wb.add_format({"valign": "top", "bg_color": "#F4FBF6", "border": 1, "border_color": "#C8D6CC",
                                    "text_wrap": True})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.top = wb.add_format({"valign": "top"})
        self.num = wb.add_format({"num_format": "0.0", "valign": "top"})
        self.num2 = wb.add_format({"num_format": "0.00", "valign": "top"})
        self.int = wb.add_format({"num_format": "0", "valign": "top"})
        self.severity = {s: wb.add_format({"bg_color": c, "valign": "top", "bold": s in ("critical", "high")})
                         for s, c in SEVERITY_FILL.items()}
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.bold = wb.add_format({"bold": True})
        self.pct = wb.add_format({"num_format": "0.0%"})


def _sheet(wb, name: str, columns, fmt: _Formats, title: str):
    ws = wb.add_worksheet(name)
    for col, (header, _key, width, kind) in enumerate(columns):
        # the review columns to fill in are shaded and bordered as columns, not cell by cell (they start empty)
        column_format = {"input": fmt.input, "input-date": fmt.input_date}.get(kind)
        ws.set_column(col, col, width, column_format)
        ws.write_string(0, col, header, fmt.input_header if kind.startswith("input") else fmt.header)
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    ws.repeat_rows(0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header(f"&L{spreadsheet_safe(title).replace('&', '&&')}&RCare team only: patient-identifiable")
    ws.set_footer("&CPage &P of &N")
    return ws


def _excel_day(value: dt.date) -> int:
    """The day number Excel stores for a date (or a date-time's date), as xlsxwriter's write_datetime computes
    it: counted from 31 December 1899, plus one from March 1900 (Excel's phantom 29 February 1900)."""
    days = (dt.date(value.year, value.month, value.day) - EXCEL_DAY_ZERO).days
    return days + 1 if days > 59 else days


def _writer(kind: str, fmt: _Formats):
    """The function that writes one value of a column of this kind: (sheet, row, col, value). Chosen once
    per column, not per cell (a sheet can hold a million cells)."""
    if kind in ("input", "input-date"):
        return None  # an empty review column: its column format (_sheet) shades it
    elif kind == "date":
        def write(ws, row, col, value):
            if value is not None:
                ws.write_number(row, col, _excel_day(value), fmt.date)
    elif kind in ("num", "num2", "int"):
        number_format = getattr(fmt, kind)

        def write(ws, row, col, value):
            if value is not None and math.isfinite(float(value)):
                ws.write_number(row, col, float(value), number_format)
    elif kind == "yes":
        def write(ws, row, col, value):
            if value:
                ws.write_string(row, col, "yes", fmt.top)
    elif kind == "severity":
        def write(ws, row, col, value):
            if value is not None:
                ws.write_string(row, col, str(value), fmt.severity.get(str(value), fmt.top))
    else:
        cell_format = fmt.wrap if kind == "wrap" else fmt.top

        def write(ws, row, col, value):
            if value is not None:
                ws.write_string(row, col, spreadsheet_safe(str(value)), cell_format)
    return write


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    """The rows of one exported sheet, as dicts, a batch at a time."""
    for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH):
        yield from batch.to_pylist()


def _stream(ws, rows: Iterator[dict[str, Any]], columns, fmt: _Formats, extra=None) -> tuple[int, bool]:
    """Rows into the sheet; returns (rows written, cut at Excel's limit)."""
    writers = [(col, key, write) for col, (_h, key, _w, kind) in enumerate(columns)
               if (write := _writer(kind, fmt)) is not None]
    row = 0
    for record in rows:
        if row + 1 >= EXCEL_MAX_ROWS:
            return row, True
        row += 1
        if extra:
            extra(record)
        for col, key, write in writers:
            write(ws, row, col, record.get(key) if key else None)
    return row, False


SHEET_QUERIES = (("Worklist", "worklist/xlsx_patients.sql"), ("Review", "worklist/xlsx_review.sql"),
                 ("Retrospective", "worklist/xlsx_retrospective.sql"))


@dataclass(frozen=True)
class BookInputs:
    """Everything write_book needs besides the exported rows: plain values, so that a worker process can
    take them."""

    folder: str  # the exported sheets, <sheet>.parquet
    rows: int  # rows exported, all sheets
    registry: str
    as_of: dt.date
    profile_name: str
    run_id: str
    previous_run_id: str | None
    monitored: list[tuple[str, str]]
    summary_rows: list[dict[str, Any]]
    earlier_retrospective: int


def export(con, run: RunInfo, previous_run_id: str | None, path: Path,
           summary_rows: list[dict[str, Any]]) -> BookInputs:
    """Stream each sheet's rows from DuckDB into <folder>/<sheet>.parquet, the folder made beside `path` (the
    output folder, patient-level already; removed once the workbook is written)."""
    folder = Path(tempfile.mkdtemp(prefix=".worklist-xlsx-", dir=Path(path).parent))
    since = {"as_of": run.as_of, "months": RETRO_MONTHS}
    rows = 0
    try:
        for sheet, sql_file in SHEET_QUERIES:
            with contextlib.closing(con.cursor()) as cursor:  # its own connection: the run's may hold a result
                reader = relation(cursor, sql_file, since).to_arrow_reader(BATCH)
                with pq.ParquetWriter(folder / f"{sheet}.parquet", reader.schema) as writer:
                    for batch in reader:
                        writer.write_batch(batch)
                        rows += batch.num_rows
        return BookInputs(
            folder=str(folder), rows=rows, registry=run.registry_name, as_of=run.as_of,
            profile_name=run.profile_name, run_id=run.run_id, previous_run_id=previous_run_id,
            monitored=[tuple(r) for r in query_sql(con, "worklist/monitored.sql").fetchall()],
            summary_rows=[dict(r) for r in summary_rows],
            earlier_retrospective=scalar(con, "worklist/xlsx_retrospective_earlier.sql", since))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


class BookJob:
    """A workbook being written: `result()` waits for it, returns the rows written per sheet (or raises what
    the writing raised) and removes the exported rows."""

    def __init__(self, inputs: BookInputs, path: Path, in_process: bool | None = None):
        self._inputs = inputs
        if in_process is None:
            in_process = inputs.rows <= PROCESS_ROWS
        self._pool = None
        if in_process:
            self._future: concurrent.futures.Future = concurrent.futures.Future()
            try:
                self._future.set_result(write_book(inputs, str(path)))
            except Exception as exc:  # raised again by result(), like the worker's
                self._future.set_exception(exc)
        else:
            # spawn, not fork: the run's process holds DuckDB's threads, and the worker needs nothing of it
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            self._future = self._pool.submit(write_book, inputs, str(path))

    def result(self) -> dict[str, int]:
        try:
            return self._future.result()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
            shutil.rmtree(self._inputs.folder, ignore_errors=True)


def start_worklist_xlsx(con, run_info: RunInfo | dict[str, Any], previous_run_id: str | None, path: Path,
                        summary_rows: list[dict[str, Any]], in_process: bool | None = None) -> BookJob:
    """Export the sheets and start writing the workbook (after `pipelines.lib.worklist.prepare`);
    `.result()` waits for it. `in_process`: None chooses by size (PROCESS_ROWS)."""
    inputs = export(con, RunInfo.of(run_info), previous_run_id, path, summary_rows)
    return BookJob(inputs, path, in_process)


def write_book(inputs: BookInputs, path: str) -> dict[str, int]:
    """The workbook from the exported sheets (no database: this may run in a worker process)."""
    wb = xlsxwriter.Workbook(path, {"constant_memory": True, "default_date_format": "yyyy-mm-dd",
                                    "remove_timezone": True, "strings_to_formulas": False,
                                    "strings_to_urls": False, "strings_to_numbers": False})
    registry = inputs.registry
    as_of = str(inputs.as_of)
    folder = Path(inputs.folder)
    wb.set_properties({"title": "Azathioprine audit worklist", "subject": f"as of {as_of}",
                       "comments": "Patient-identifiable: for the care team only."})
    fmt = _Formats(wb)
    written: dict[str, int] = {}
    cut: dict[str, bool] = {}

    # Worklist: one row per patient, with per monitored group the last test and the next due date
    group_columns = tuple(col for test, _label in inputs.monitored for col in (
        (f"{test} last test", f"last_{test}", 11, "date"), (f"{test} next due", f"due_{test}", 11, "date")))
    columns = PATIENT_COLUMNS + group_columns + (("Review", "review_text", 28, "wrap"),)
    ws = _sheet(wb, "Worklist", columns, fmt, f"{registry}: worklist as of {as_of}")

    def expand(record: dict[str, Any]) -> None:
        for test in record.pop("tests") or []:
            record[f"last_{test['test']}"] = test["last_test"]
            record[f"due_{test['test']}"] = test["next_due"]
        record["treatment"] = ("died" if record.get("death_date") else
                               "on treatment" if record.get("on_treatment") else "stopped")
        reviews = record.get("reviews") or []
        record["review_text"] = "; ".join(f"{STATUS_TEXT.get(r['status'], r['status'])} ({r['reviewed_by']}, "
                                          f"{r['reviewed_on']:%Y-%m-%d})" for r in reviews) or "not reviewed"

    n, c = _stream(ws, _rows(folder / "Worklist.parquet"), columns, fmt, expand)
    ws.autofilter(0, 0, max(n, 1), len(columns) - 1)
    written["Worklist"], cut["Worklist"] = n, c

    # Review: one row per open finding, with the review columns to fill in
    ws = _sheet(wb, "Review", REVIEW_SHEET_COLUMNS, fmt, f"{registry}: reviews as of {as_of}")

    def review_row(record: dict[str, Any]) -> None:
        record["state_text"] = {"new": "new", "escalated": "escalated"}.get(record.get("state"),
                                                                            f"open {record.get('days_open')} days")
        if record.get("review_status"):
            record["current_review"] = (f"{STATUS_TEXT.get(record['review_status'], record['review_status'])} by "
                                        f"{record['reviewed_by']} on {record['reviewed_on']:%Y-%m-%d}"
                                        + (" (still open after action)" if record.get("still_open_after_action")
                                           else ""))

    n, c = _stream(ws, _rows(folder / "Review.parquet"), REVIEW_SHEET_COLUMNS, fmt, review_row)
    status_col = [h for h, *_ in REVIEW_SHEET_COLUMNS].index("status")
    last = max(n, 1)
    ws.data_validation(1, status_col, last, status_col, {
        "validate": "list", "source": list(STATUSES), "error_title": "Review status",
        "error_message": "Choose one of: " + ", ".join(STATUSES)})
    for name in ("reviewed_on", "expires_on"):
        col = [h for h, *_ in REVIEW_SHEET_COLUMNS].index(name)
        ws.data_validation(1, col, last, col, {
            "validate": "date", "criteria": "between", "minimum": dt.date(1900, 1, 1),
            "maximum": dt.date(2100, 12, 31), "input_title": name, "input_message": "a date, YYYY-MM-DD"})
    ws.autofilter(0, 0, last, len(REVIEW_SHEET_COLUMNS) - 1)
    written["Review"], cut["Review"] = n, c

    ws = _sheet(wb, "Retrospective", RETRO_COLUMNS, fmt,
                f"{registry}: retrospective findings of the {RETRO_MONTHS} months to {as_of}")
    n, c = _stream(ws, _rows(folder / "Retrospective.parquet"), RETRO_COLUMNS, fmt)
    ws.autofilter(0, 0, max(n, 1), len(RETRO_COLUMNS) - 1)
    written["Retrospective"], cut["Retrospective"] = n, c

    _summary(wb, fmt, inputs, written, cut)
    wb.close()
    return written


def _summary(wb, fmt: _Formats, inputs: BookInputs, written, cut) -> None:
    registry, summary_rows = inputs.registry, inputs.summary_rows
    ws = wb.add_worksheet("Summary")
    ws.set_column(0, 0, 40)
    ws.set_column(1, 5, 14)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.write_string(0, 0, spreadsheet_safe(f"{registry}: azathioprine audit worklist"), fmt.title)
    meta = [
        ("As of", str(inputs.as_of)),
        ("Profile", inputs.profile_name),
        ("Run", inputs.run_id),
        ("Compared with run", inputs.previous_run_id or "none (first run)"),
        ("Care team only", "patient-identifiable; do not share"),
        ("How to review", "fill in status, reviewed_by and reviewed_on (and a note or expires_on) on the Review "
                          "sheet, then save this workbook into the reviews folder"),
    ]
    for i, (k, v) in enumerate(meta, start=2):
        ws.write_string(i, 0, k, fmt.bold)
        ws.write_string(i, 1, spreadsheet_safe(v))
    r = len(meta) + 3
    ws.write_row(r, 0, ["Sheet", "Rows", "Note"], fmt.header)
    for sheet, rows in written.items():
        r += 1
        ws.write_string(r, 0, sheet)
        ws.write_number(r, 1, rows)
        if cut[sheet]:
            ws.write_string(r, 2, "sheet cut at Excel's row limit: every finding is in findings.csv")
        elif sheet == "Retrospective":
            ws.write_string(r, 2, f"key date in the {RETRO_MONTHS} months to {inputs.as_of}; "
                                  f"{inputs.earlier_retrospective:,} "
                                  "earlier retrospective findings are in findings.csv (current = false)")
    r += 2
    ws.write_row(r, 0, ["Rule", "Severity", "Patients evaluated", "Patients flagged", "Rate", "Findings"], fmt.header)
    for s in summary_rows:
        r += 1
        ws.write_string(r, 0, spreadsheet_safe(str(s.get("title") or s["rule_id"])))
        ws.write_string(r, 1, str(s.get("severity") or ""))
        for col, key in ((2, "patients_evaluated"), (3, "patients_flagged"), (5, "findings")):
            if s.get(key) is None:
                ws.write_blank(r, col, None)
            else:
                ws.write_number(r, col, int(s[key]))
        if s.get("rate") is None:
            ws.write_string(r, 4, "not evaluated" if s.get("status") == "not evaluated" else "")
        else:
            ws.write_number(r, 4, float(s["rate"]), fmt.pct)
