"""Ingest: raw tables, typed staging and the quarantine (sql/staging/), with per-file counts.

For every file, rows read = rows accepted + rows quarantined; `reconcile` checks it and the run stops if
it fails (nothing may be lost silently).
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import pyarrow as pa

from .extracts import EXTRACT_FILES, RawLoad, drop_raw, iter_lines, iter_single_lines, load_raw
from .sql import drop_relation, query_sql, run_many, run_sql, sql_files

STAGING_ORDER = ("patients", "prescriptions", "labs", "events", "sites")


@dataclass
class FileCounts:
    file: str
    present: bool
    format: str | None
    sha256: str | None
    rows_read: int
    rows_accepted: int
    rows_quarantined: int

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.rows_accepted + self.rows_quarantined


def load_raw_extracts(con, extracts_dir: Path, progress=None) -> dict[str, RawLoad]:
    return {name: load_raw(con, Path(extracts_dir), name, progress=progress) for name in STAGING_ORDER}


def stage(con, loads: dict[str, RawLoad], params: Mapping[str, Any]) -> list[FileCounts]:
    """Type the raw rows, quarantine the rejected ones, and count; writes table file_counts.
    `params`: the run's SQL parameters (as-of, the profile's max_days_supply, the plausible dates)."""
    labels = {f"{name}_file": (load.path.name if load.path else f"{name}.csv") for name, load in loads.items()}
    params = {**params, **labels}
    for name in STAGING_ORDER:  # a staged table of an earlier version may be a view now, or the reverse
        drop_relation(con, f"stg_{name}")
    for path in sql_files("staging"):
        run_sql(con, f"staging/{path.name}", params)
    fill_raw_text(con, loads, labels)
    for name in STAGING_ORDER:  # typed and quarantined: the raw rows (memory, or DuckDB's spill files) go now
        drop_raw(con, name)
    staged = {name: (accepted, quarantined) for name, accepted, quarantined in query_sql(
        con, "ingest/counts.sql",
        {"labels": [{"name": name, "label": labels[f"{name}_file"]} for name in STAGING_ORDER]}).fetchall()}
    counts = [FileCounts(name, loads[name].present, loads[name].format, loads[name].sha256, loads[name].rows_read,
                         *staged[name]) for name in STAGING_ORDER]
    run_sql(con, "ingest/file_counts.sql")
    run_many(con, "ingest/file_counts_insert.sql", [dataclasses.asdict(c) for c in counts])
    return counts


RAW_TEXT_BATCH = 500_000  # quarantined rows whose text is held in Python at once


def fill_raw_text(con, loads: dict[str, RawLoad], labels: dict[str, str]) -> None:
    """Quarantined CSV rows get their text as it stood in the file, read back by line number (the raw
    tables do not carry every row's text: only the rejected ones need it). A batch at a time, so memory
    stays flat however many rows are quarantined."""
    for name, load in loads.items():
        if load.format != "csv":
            continue
        label = labels[f"{name}_file"]
        if load.one_line_rows:  # the fast reader's rows are one line each: read back by line number alone
            wanted = query_sql(con, "quarantine/lines.sql", {"file": label}).fetchnumpy()["line"].tolist()
            texts = iter_single_lines(load.path, wanted)
        else:
            ranges = query_sql(con, "quarantine/line_ranges.sql", {"extract": name, "file": label}).fetchnumpy()
            texts = iter_lines(load.path, zip(ranges["line"].tolist(), ranges["_line_end"].tolist()))
        while batch := list(itertools.islice(texts, RAW_TEXT_BATCH)):
            lines, raw = zip(*batch)
            con.register("quarantine_text", pa.table({"file": [label] * len(lines), "line": list(lines),
                                                      "raw": list(raw)}))
            try:
                run_sql(con, "quarantine/fill_raw.sql")
            finally:
                con.unregister("quarantine_text")


def read_file_counts(con) -> list[FileCounts]:
    return [FileCounts(*row) for row in query_sql(con, "ingest/file_counts_read.sql").fetchall()]


def reconcile(counts: list[FileCounts]) -> list[str]:
    """The files whose counts do not add up (an empty list when all reconcile)."""
    return [c.file for c in counts if not c.reconciles]


assert set(STAGING_ORDER) == set(EXTRACT_FILES)
