"""Review state: the care team's answers to findings, kept from night to night (CONTRACT.md "review files").

Review files are CSV or XLSX files in the reviews folder (`--reviews`, env `AZA_AUDIT_REVIEWS`), one review
of one finding per row: `finding_id, status, note, reviewed_by, reviewed_on, expires_on` (column names
matched case-insensitively; extra columns ignored). A worklist.xlsx saved back into the folder is such a
file: its "Review" sheet has those columns. In an xlsx, every sheet whose first row names `finding_id` and
`status` is read, and a row whose review columns are all empty is not a review (a line not filled in).

Each run reads every file (`stage_reviews`): rows that break the table (unknown finding, unknown status, no
reviewer, a date after as-of...) go to the quarantine with their file, line and every reason, and are never
applied; accepted rows not seen before join `review_log`, which only grows (sql/reviews/). The review of a
finding is the latest one (`review_status`). `record_review` is what `aza-audit review` calls.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa

from .extracts import ExtractError
from .settings import PLAUSIBLE_YEARS
from .sql import query_sql, run_sql, scalar, table_exists

STATUSES = ("acknowledged", "actioned", "exception-clinical", "exception-declined", "not-applicable")
# Exceptions take a finding off the worklist and out of the after-exceptions indicators until they expire.
EXCEPTIONS = ("exception-clinical", "exception-declined", "not-applicable")
STATUS_TEXT = {
    "acknowledged": "acknowledged",
    "actioned": "actioned",
    "exception-clinical": "exception: not clinically appropriate",
    "exception-declined": "exception: patient declined",
    "not-applicable": "not applicable (data error)",
}
COLUMNS = ("finding_id", "status", "note", "reviewed_by", "reviewed_on", "expires_on")
REVIEW_FIELDS = COLUMNS[1:]  # a row with all of these empty is not a review
SUFFIXES = (".csv", ".xlsx")
CLI_SOURCE = "aza-audit review"


@dataclass(frozen=True)
class ReviewFileCounts:
    source: str
    rows_read: int
    rows_accepted: int
    rows_quarantined: int


def review_files(folder: Path | None) -> list[Path]:
    """The review files of the folder, in name order (none when there is no folder). Office's lock
    files (`~$name.xlsx`) and hidden files are not reviews."""
    if folder is None or not Path(folder).is_dir():
        return []
    return sorted(p for p in Path(folder).iterdir()
                  if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(("~$", ".")))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _csv_rows(path: Path, label: str) -> Iterator[tuple[int, dict[str, str | None], str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ExtractError(label, "not UTF-8 text: save the review file as CSV UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return
    names = [h.strip().lower() for h in header]
    if "finding_id" not in names or "status" not in names:
        raise ExtractError(label, "a review file needs the columns finding_id and status (CONTRACT.md)",
                           line=1)
    index = {c: names.index(c) for c in COLUMNS if c in names}
    lines = text.splitlines()
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        if not any(cell.strip() for cell in record):
            continue
        raw = "\n".join(lines[start - 1:reader.line_num])
        yield start, {c: (record[i] if i < len(record) else None) for c, i in index.items()}, raw


def _xlsx_rows(path: Path, label: str) -> Iterator[tuple[str, int, dict[str, str | None], str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a file named .xlsx that is not a workbook
        raise ExtractError(label, f"not a readable xlsx workbook ({type(exc).__name__})") from None
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            if not header:
                continue
            names = [str(h).strip().lower() if h is not None else "" for h in header]
            if "finding_id" not in names or "status" not in names:
                continue
            index = {c: names.index(c) for c in COLUMNS if c in names}
            for number, values in enumerate(rows, start=2):
                fields = {c: _text(values[i]) if i < len(values) else None for c, i in index.items()}
                if not any((fields.get(c) or "").strip() for c in REVIEW_FIELDS):
                    continue
                raw = ",".join("" if v is None else _text(v) for v in values)
                yield sheet.title, number, fields, raw
    finally:
        book.close()


def read_review_folder(folder: Path | None) -> pa.Table:
    """Every review row of the folder as text: source, line, the contract's columns, raw."""
    records: dict[str, list] = {name: [] for name in ("source", "line", *COLUMNS, "raw")}
    for path in review_files(folder):
        label = f"reviews/{path.name}"
        if path.suffix.lower() == ".csv":
            rows = ((label, line, fields, raw) for line, fields, raw in _csv_rows(path, label))
        else:
            rows = ((f"{label} [{sheet}]", line, fields, raw) for sheet, line, fields, raw in _xlsx_rows(path, label))
        for source, line, fields, raw in rows:
            records["source"].append(source)
            records["line"].append(line)
            for column in COLUMNS:
                records[column].append(fields.get(column))
            records["raw"].append(raw)
    schema = pa.schema([("source", pa.string()), ("line", pa.int64()),
                        *[(c, pa.string()) for c in COLUMNS], ("raw", pa.string())])
    return pa.table(records, schema=schema)


def _load_raw(con, table: pa.Table, temp: bool = False) -> None:
    """The review rows read (all text) into raw_reviews, what sql/reviews/10_stage.sql types."""
    con.register("raw_reviews_arrow", table)
    try:
        run_sql(con, "reviews/load_raw_temp.sql" if temp else "reviews/load_raw.sql")
    finally:
        con.unregister("raw_reviews_arrow")


def ensure_review_tables(con) -> None:
    run_sql(con, "reviews/00_tables.sql")


def params(base: dict[str, Any]) -> dict[str, Any]:
    return {**base, "statuses": list(STATUSES), "exceptions": list(EXCEPTIONS)}


def stage_reviews(con, run_params: dict[str, Any], folder: Path | None, run_id: str | None = None) -> list[ReviewFileCounts]:
    """Read the review folder, quarantine the bad rows, add the new good ones to the log, and build
    review_status. Needs this run's `findings` and `finding_status`."""
    from .history import ensure_history_tables

    ensure_history_tables(con)
    ensure_review_tables(con)
    _load_raw(con, read_review_folder(folder))
    p = params(run_params)
    run_sql(con, "reviews/10_stage.sql", p)
    run_sql(con, "reviews/20_quarantine.sql")
    run_sql(con, "reviews/25_log.sql", {"recorded_at": dt.datetime.now().replace(microsecond=0), "run_id": run_id})
    build_review_status(con, run_params)
    return [ReviewFileCounts(*row) for row in query_sql(con, "reviews/counts.sql").fetchall()]


def build_review_status(con, run_params: dict[str, Any]) -> None:
    ensure_review_tables(con)
    run_sql(con, "reviews/30_status.sql", params(run_params))


class ReviewError(ValueError):
    """A review given on the command line that cannot be recorded (one line, no patient data)."""


def record_review(con, finding_id: str, status: str, reviewed_by: str, *, note: str | None = None,
                  expires_on: dt.date | None = None, reviewed_on: dt.date | None = None) -> bool:
    """Add one review to the log (`aza-audit review`); returns False when the same review is already there."""
    from .history import ensure_history_tables

    ensure_history_tables(con)
    ensure_review_tables(con)
    reviewed_on = reviewed_on or dt.date.today()
    status = status.strip().lower()
    if status not in STATUSES:
        raise ReviewError(f"unknown status {status!r}: expected one of {', '.join(STATUSES)}")
    if not reviewed_by.strip():
        raise ReviewError("--by needs the reviewer's initials or staff id")
    if expires_on is not None and expires_on < reviewed_on:
        raise ReviewError("--expires is before the review date")
    if not table_exists(con, "findings"):
        raise ReviewError("no audit has run on this database yet: there is no finding to review")
    row = {"finding_id": finding_id.strip(), "status": status, "note": note, "reviewed_by": reviewed_by.strip(),
           "reviewed_on": reviewed_on.isoformat(), "expires_on": expires_on.isoformat() if expires_on else None}
    _load_raw(con, pa.table({"source": [CLI_SOURCE], "line": pa.array([None], pa.int64()),
                             **{c: pa.array([row[c]], pa.string()) for c in COLUMNS},
                             "raw": pa.array([None], pa.string())}), temp=True)
    p = params({"as_of": reviewed_on, "date_min": dt.date(PLAUSIBLE_YEARS[0], 1, 1),
                 "date_max": dt.date(PLAUSIBLE_YEARS[1], 12, 31)})
    run_sql(con, "reviews/10_stage.sql", p)
    reasons = scalar(con, "reviews/cli_reasons.sql")
    run_sql(con, "reviews/drop_raw.sql")
    if reasons:
        raise ReviewError(f"the review was not recorded: {'; '.join(reasons)}")
    before = scalar(con, "reviews/log_size.sql")
    run_sql(con, "reviews/25_log.sql", {"recorded_at": dt.datetime.now().replace(microsecond=0), "run_id": None})
    return scalar(con, "reviews/log_size.sql") > before
