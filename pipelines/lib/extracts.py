"""Read an extract directory (CONTRACT.md) into raw DuckDB tables, streaming, with line numbers.

Every row of a file lands in `raw_<file>` as text: the contract's columns (matched case-insensitively),
`_line` (line number in the file, header = line 1; for Parquet the row number + 1), `_raw` (the row's
text as it stood in the file) and `_error` (a structural problem: wrong number of fields, invalid UTF-8).
Columns the contract does not name are kept in `_extra` as a JSON object. Nothing is dropped here: typing
and the quarantine happen in staging, so `rows read` is exactly the raw table's row count.

Unusable input (a required file or column missing, a file that cannot be parsed at all) raises
`ExtractError`, whose message names the file and the column but never a value from it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pyarrow as pa

CHUNK_ROWS = 50_000


@dataclass(frozen=True)
class ExtractFile:
    name: str
    columns: tuple[str, ...]
    required_columns: tuple[str, ...]
    required_file: bool = True
    one_of: tuple[str, ...] = ()  # at least one of these columns must be present


EXTRACT_FILES: dict[str, ExtractFile] = {
    "patients": ExtractFile(
        "patients",
        ("patient_id", "site_id", "birth_date", "sex", "ms_course", "death_date"),
        ("patient_id",),
    ),
    "prescriptions": ExtractFile(
        "prescriptions",
        ("prescription_id", "patient_id", "drug_name", "drug_code", "start_date", "end_date", "days_supply",
         "strength", "strength_unit", "quantity", "daily_dose", "daily_dose_unit", "status"),
        ("prescription_id", "patient_id", "drug_name", "start_date"),
    ),
    "labs": ExtractFile(
        "labs",
        ("result_id", "patient_id", "test_code", "test_name", "collected_at", "value", "unit", "ref_low",
         "ref_high"),
        ("result_id", "patient_id", "collected_at", "value"),
        one_of=("test_code", "test_name"),
    ),
    "events": ExtractFile(
        "events",
        ("event_id", "patient_id", "event_date", "event_type", "code", "description"),
        ("event_id", "patient_id", "event_date", "event_type"),
        required_file=False,
    ),
}


class ExtractError(Exception):
    """The extract cannot be used at all (exit status 2). The message names the file and column."""

    def __init__(self, file: str, message: str, column: str | None = None):
        self.file = file
        self.column = column
        where = f"{file}: column {column}: " if column else f"{file}: "
        super().__init__(where + message)


@dataclass
class RawLoad:
    name: str
    path: Path | None
    format: str | None
    sha256: str | None
    rows_read: int
    extra_columns: tuple[str, ...] = ()

    @property
    def present(self) -> bool:
        return self.path is not None


def find_file(extracts_dir: Path, name: str) -> Path | None:
    """`<name>.csv` or `<name>.parquet`, file name matched case-insensitively; two candidates is an error."""
    if not extracts_dir.is_dir():
        raise ExtractError(str(extracts_dir), "extract directory not found")
    candidates = [
        p for p in extracts_dir.iterdir()
        if p.is_file() and p.stem.lower() == name and p.suffix.lower() in (".csv", ".parquet")
    ]
    if len(candidates) > 1:
        names = ", ".join(sorted(p.name for p in candidates))
        raise ExtractError(name, f"more than one file for this extract ({names}); keep one")
    return candidates[0] if candidates else None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _raw_table_schema(spec: ExtractFile) -> pa.Schema:
    fields = [pa.field("_line", pa.int64()), pa.field("_raw", pa.string()), pa.field("_error", pa.string())]
    fields += [pa.field(column, pa.string()) for column in spec.columns]
    fields.append(pa.field("_extra", pa.string()))
    return pa.schema(fields)


def create_raw_table(con, spec: ExtractFile) -> None:
    """`raw_<name>`: fixed columns from the contract (names are code constants, never file content)."""
    columns = ", ".join(f'"{field.name}" {"BIGINT" if field.name == "_line" else "VARCHAR"}'
                        for field in _raw_table_schema(spec))
    con.execute(f"CREATE OR REPLACE TABLE raw_{spec.name} ({columns})")


def _map_header(spec: ExtractFile, header: list[str], file_label: str) -> tuple[list[int | None], list[tuple[int, str]]]:
    """Index of each contract column in the file, and the extra columns, checking required ones."""
    normalised = [h.strip().lower() for h in header]
    seen: dict[str, int] = {}
    for index, name in enumerate(normalised):
        if not name:
            continue
        if name in seen:
            raise ExtractError(file_label, "appears more than once in the header", column=name)
        seen[name] = index
    for column in spec.required_columns:
        if column not in seen:
            raise ExtractError(file_label, "required column is missing", column=column)
    if spec.one_of and not any(c in seen for c in spec.one_of):
        raise ExtractError(file_label, "one of these columns is required and none is present",
                           column=" or ".join(spec.one_of))
    positions = [seen.get(column) for column in spec.columns]
    known = set(spec.columns)
    extras = [(i, name) for name, i in seen.items() if name not in known]
    return positions, extras


def _clean(value: str | None) -> str | None:
    """Empty cell = null; text that is not valid UTF-8 is kept with replacement characters."""
    if value is None or value == "":
        return None
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return value


class _LineRecorder:
    """Feeds lines to csv.reader and remembers them, so each record keeps its text and first line."""

    def __init__(self, handle: io.TextIOBase):
        self.handle = handle
        self.lines: list[str] = []
        self.line_no = 0

    def __iter__(self) -> Iterator[str]:
        for line in self.handle:
            self.line_no += 1
            self.lines.append(line)
            yield line

    def take(self) -> str:
        text = "".join(self.lines).rstrip("\r\n")
        self.lines.clear()
        return text


def _csv_batches(path: Path, spec: ExtractFile, chunk_rows: int) -> Iterator[pa.RecordBatch | tuple]:
    file_label = path.name
    schema = _raw_table_schema(spec)
    with path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        recorder = _LineRecorder(handle)
        reader = csv.reader(recorder, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise ExtractError(file_label, "file is empty: no header row") from None
        except csv.Error as exc:
            raise ExtractError(file_label, f"header cannot be parsed as CSV ({exc})") from None
        recorder.take()
        header = [_clean(h) or "" for h in header]
        positions, extras = _map_header(spec, header, file_label)
        yield ("extras", tuple(name for _, name in extras))
        width = len(header)
        columns: list[list] = [[] for _ in schema]
        first_line = 2
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise ExtractError(
                    file_label, f"cannot be parsed as CSV at line {recorder.line_no} ({exc})"
                ) from None
            raw = recorder.take()
            line = first_line
            first_line = recorder.line_no + 1
            if not row:  # a blank line is not a row
                continue
            errors = []
            if len(row) != width:
                errors.append(f"has {len(row)} fields, header has {width}")
            raw_clean = _clean(raw)
            if raw_clean != raw:
                errors.append("not valid UTF-8")
            columns[0].append(line)
            columns[1].append(raw_clean)
            columns[2].append("; ".join(errors) or None)
            for offset, position in enumerate(positions, start=3):
                columns[offset].append(_clean(row[position]) if position is not None and position < len(row) else None)
            if extras:
                extra = {name: _clean(row[i]) for i, name in extras if i < len(row) and row[i] != ""}
                columns[-1].append(json.dumps(extra, ensure_ascii=False) if extra else None)
            else:
                columns[-1].append(None)
            if len(columns[0]) >= chunk_rows:
                yield pa.RecordBatch.from_arrays([pa.array(c, type=f.type) for c, f in zip(columns, schema)], schema=schema)
                columns = [[] for _ in schema]
        if columns[0]:
            yield pa.RecordBatch.from_arrays([pa.array(c, type=f.type) for c, f in zip(columns, schema)], schema=schema)


def _parquet_batches(path: Path, spec: ExtractFile, chunk_rows: int) -> Iterator[pa.RecordBatch | tuple]:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    file_label = path.name
    schema = _raw_table_schema(spec)
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise ExtractError(file_label, f"cannot be read as Parquet ({type(exc).__name__})") from None
    header = list(parquet.schema_arrow.names)
    positions, extras = _map_header(spec, header, file_label)
    yield ("extras", tuple(name for _, name in extras))
    line = 2
    for batch in parquet.iter_batches(batch_size=chunk_rows):
        text_columns = []
        for column in batch.columns:
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                text_columns.append(column.cast(pa.string()))
            elif pa.types.is_timestamp(column.type):
                text_columns.append(pc.strftime(column, format="%Y-%m-%d %H:%M:%S"))
            else:
                text_columns.append(column.cast(pa.string()))
        n = batch.num_rows
        values = [text_columns[p] if p is not None else pa.nulls(n, pa.string()) for p in positions]
        # The row's text, as CSV, for the quarantine: built row by row only from this batch.
        pylists = [c.to_pylist() for c in text_columns]
        raw_rows, extra_rows = [], []
        for r in range(n):
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="").writerow(["" if c[r] is None else c[r] for c in pylists])
            raw_rows.append(buffer.getvalue())
            extra = {name: pylists[i][r] for i, name in extras if pylists[i][r] not in (None, "")}
            extra_rows.append(json.dumps(extra, ensure_ascii=False) if extra else None)
        arrays = [pa.array(range(line, line + n), pa.int64()), pa.array(raw_rows, pa.string()),
                  pa.nulls(n, pa.string()), *values, pa.array(extra_rows, pa.string())]
        yield pa.RecordBatch.from_arrays(arrays, schema=schema)
        line += n


def load_raw(con, extracts_dir: Path, name: str, chunk_rows: int = CHUNK_ROWS, progress=None) -> RawLoad:
    """Stream one extract file into `raw_<name>`; an absent optional file gives an empty table."""
    spec = EXTRACT_FILES[name]
    create_raw_table(con, spec)
    path = find_file(extracts_dir, name)
    if path is None:
        if spec.required_file:
            raise ExtractError(f"{name}.csv", "required file is missing (looked for .csv and .parquet)")
        return RawLoad(name, None, None, None, 0)
    fmt = "parquet" if path.suffix.lower() == ".parquet" else "csv"
    batches = _parquet_batches(path, spec, chunk_rows) if fmt == "parquet" else _csv_batches(path, spec, chunk_rows)
    rows = 0
    extras: tuple[str, ...] = ()
    for item in batches:
        if isinstance(item, tuple):
            extras = item[1]
            continue
        con.register("raw_chunk", pa.Table.from_batches([item]))
        con.execute(f"INSERT INTO raw_{name} SELECT * FROM raw_chunk")
        con.unregister("raw_chunk")
        rows += item.num_rows
        if progress:
            progress(name, rows)
    return RawLoad(name, path, fmt, file_sha256(path), rows, extras)
