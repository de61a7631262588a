"""worklist.xlsx: the findings for the care team, a Summary sheet and one sheet per severity.

Written with xlsxwriter in ``constant_memory`` mode (rows are streamed to disk one at a time, so a registry
with millions of findings does not need them in memory); rows come from DuckDB in batches. A sheet holds at
most 1,048,575 findings (Excel's limit); the Summary sheet says when a sheet was cut short and points to
findings.csv.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import xlsxwriter

from .data import SEVERITIES, worklist
from .safe import spreadsheet_safe

EXCEL_MAX_ROWS = 1_048_576
BATCH = 10_000

COLUMNS = (
    # (header, worklist column, width, kind)
    ("New", "is_new", 6, "new"),
    ("Severity", "severity", 9, "text"),
    ("Patient", "patient_id", 14, "text"),
    ("Site", "site_id", 10, "text"),
    ("Rule", "rule_id", 30, "text"),
    ("Test", "test", 10, "text"),
    ("Key date", "key_date", 11, "date"),
    ("Days overdue", "days_overdue", 8, "int"),
    ("Detail", "detail", 70, "text"),
    ("Episode start", "episode_start", 11, "date"),
    ("Window start", "window_start", 11, "date"),
    ("Window end", "window_end", 11, "date"),
    ("Value", "value", 9, "num"),
    ("Threshold", "threshold", 9, "num"),
    ("Finding id", "finding_id", 18, "text"),
)


def write_worklist_xlsx(con, run_info: dict[str, Any], previous_run_id: str | None, path: Path,
                        summary_rows: list[dict[str, Any]]) -> dict[str, int]:
    """Write the workbook; returns the rows written per severity sheet."""
    # strings_to_formulas off: no text is ever written as a formula, whatever it starts with
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "default_date_format": "yyyy-mm-dd",
                                         "remove_timezone": True, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    wb.set_properties({"title": "Azathioprine audit worklist", "subject": f"as of {run_info.get('as_of')}",
                       "comments": "Patient-identifiable: for the care team only."})
    header = wb.add_format({"bold": True, "bg_color": "#E4E7EB", "border": 1, "text_wrap": True, "valign": "top"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    title = wb.add_format({"bold": True, "font_size": 14})
    bold = wb.add_format({"bold": True})
    pct = wb.add_format({"num_format": "0.0%"})

    summary = wb.add_worksheet("Summary")
    sheets = {s: wb.add_worksheet(s.capitalize()) for s in SEVERITIES}

    written: dict[str, int] = {}
    truncated: dict[str, bool] = {}
    for severity, ws in sheets.items():
        for col, (_, _, width, _) in enumerate(COLUMNS):
            ws.set_column(col, col, width)
        for col, (name, *_rest) in enumerate(COLUMNS):
            ws.write(0, col, name, header)
        ws.freeze_panes(1, 0)
        result = worklist(con, run_info, previous_run_id, None, severity=severity)
        names = [d[0] for d in result.description]
        index = {n: i for i, n in enumerate(names)}
        row = 0
        cut = False
        while True:
            batch = result.fetchmany(BATCH)
            if not batch:
                break
            for rec in batch:
                if row + 1 >= EXCEL_MAX_ROWS:
                    cut = True
                    break
                row += 1
                for col, (_, key, _, kind) in enumerate(COLUMNS):
                    _write(ws, row, col, rec[index[key]], kind, date_fmt)
            if cut:
                break
        ws.autofilter(0, 0, max(row, 1), len(COLUMNS) - 1)
        written[severity] = row
        truncated[severity] = cut

    summary.set_column(0, 0, 34)
    summary.set_column(1, 5, 14)
    summary.write_string(0, 0, spreadsheet_safe(f"{run_info.get('registry_name') or 'MS registry'}: "
                                                "azathioprine audit worklist"), title)
    meta = [
        ("As of", str(run_info.get("as_of"))),
        ("Profile", str((run_info.get("profile") or {}).get("name", ""))),
        ("Run", str(run_info.get("run_id", ""))),
        ("Compared with run", previous_run_id or "none (first run)"),
        ("Care team only", "patient-identifiable; do not share"),
    ]
    for i, (k, v) in enumerate(meta, start=2):
        summary.write_string(i, 0, k, bold)
        summary.write_string(i, 1, spreadsheet_safe(v))
    r = len(meta) + 3
    summary.write_row(r, 0, ["Severity", "Findings in sheet", "Note"], header)
    for severity in SEVERITIES:
        r += 1
        summary.write(r, 0, severity)
        summary.write_number(r, 1, written[severity])
        if truncated[severity]:
            summary.write(r, 2, "sheet cut at Excel's row limit: every finding is in findings.csv")
    r += 2
    summary.write_row(r, 0, ["Rule", "Severity", "Patients evaluated", "Patients flagged", "Rate", "Findings"], header)
    for s in summary_rows:
        r += 1
        summary.write(r, 0, s["rule_id"])
        summary.write(r, 1, s.get("severity") or "")
        for col, key in ((2, "patients_evaluated"), (3, "patients_flagged"), (5, "findings")):
            if s.get(key) is None:
                summary.write_blank(r, col, None)
            else:
                summary.write_number(r, col, int(s[key]))
        if s.get("rate") is None:
            summary.write(r, 4, "not evaluated" if s.get("status") == "not evaluated" else "")
        else:
            summary.write_number(r, 4, float(s["rate"]), pct)
    summary.activate()
    wb.close()
    return written


def _write(ws, row: int, col: int, value: Any, kind: str, date_fmt) -> None:
    if value is None:
        return
    if kind == "date":
        if isinstance(value, dt.datetime):
            value = value.date()
        ws.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), date_fmt)
    elif kind in ("num", "int"):
        if math.isfinite(float(value)):
            ws.write_number(row, col, float(value))
    elif kind == "new":
        if value:
            ws.write_string(row, col, "NEW")
    else:
        ws.write_string(row, col, spreadsheet_safe(str(value)))
