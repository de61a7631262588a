"""Read an extract directory (CONTRACT.md) into raw DuckDB tables, streaming, with line numbers.

Every row of a file lands in `raw_<file>` as text: the contract's columns (matched case-insensitively),
`_line` and `_line_end` (first and last line of the row in the file, header = line 1; for Parquet the row
number + 1; NULL for the rows of a large file that DuckDB's reader streams, which staging numbers by their
order), `_raw` (the row's text: for Parquet here, for CSV filled in later for quarantined rows only, read back
from the file by line number) and `_error` (a structural problem: wrong number of fields, text that is not
UTF-8).
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
    # Staging numbers the fast reader's rows by the order it writes them (sql/staging: `_line = rowid + 2`),
    # so that DuckDB reads and types these large files in parallel; the others are numbered as they are read.
    lines_from_staging: bool = False


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
        lines_from_staging=True,
    ),
    "labs": ExtractFile(
        "labs",
        ("result_id", "patient_id", "test_code", "test_name", "collected_at", "value", "unit", "ref_low",
         "ref_high"),
        ("result_id", "patient_id", "collected_at", "value"),
        one_of=("test_code", "test_name"),
        lines_from_staging=True,
    ),
    "events": ExtractFile(
        "events",
        ("event_id", "patient_id", "event_date", "event_type", "code", "description"),
        ("event_id", "patient_id", "event_date", "event_type"),
        required_file=False,
        lines_from_staging=True,
    ),
    "sites": ExtractFile("sites", ("site_id", "site_name"), ("site_id", "site_name"), required_file=False),
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
    one_line_rows: bool = False  # the fast reader's: every row is one line, the n-th row is line n + 1

    @property
    def present(self) -> bool:
        return self.path is not None


def find_file(extracts_dir: Path, name: str) -> Path | None:
    """`<name>.csv` or `<name>.parquet`, file name matched case-insensitively; two candidates is an error."""
    if not extracts_dir.is_dir():
        raise ExtractError(str(extracts_dir), "extract directory not found")
    named = [p for p in extracts_dir.iterdir() if p.name.lower().split(".", 1)[0] == name]
    candidates = [p for p in named if p.is_file() and p.stem.lower() == name and p.suffix.lower() in (".csv", ".parquet")]
    if not candidates:
        for p in sorted(named):
            _refuse_unreadable(p)
    if len(candidates) > 1:
        names = ", ".join(sorted(p.name for p in candidates))
        raise ExtractError(name, f"more than one file for this extract ({names}); keep one")
    return candidates[0] if candidates else None


_COMPRESSED = (".gz", ".zip", ".bz2", ".xz", ".zst", ".7z")


def _refuse_unreadable(path: Path) -> None:
    """Something named like an extract file that cannot be read as one: say what it is."""
    lower = path.name.lower()
    if path.is_symlink() and not path.exists():
        raise ExtractError(path.name, "is a link to a file that does not exist")
    if path.is_dir() and lower.endswith((".csv", ".parquet")):
        raise ExtractError(path.name, "is a folder, not a file")
    if lower.endswith(_COMPRESSED):
        raise ExtractError(path.name, "compressed files are not read; decompress it")
    if path.is_file() and lower.endswith((".tsv", ".txt", ".xlsx", ".xls", ".json")):
        raise ExtractError(path.name, "is not a .csv or .parquet file; export the extract as CSV or Parquet")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _raw_table_schema(spec: ExtractFile) -> pa.Schema:
    fields = [pa.field("_line", pa.int64()), pa.field("_line_end", pa.int64()), pa.field("_raw", pa.string()),
              pa.field("_error", pa.string())]
    fields += [pa.field(column, pa.string()) for column in spec.columns]
    fields.append(pa.field("_extra", pa.string()))
    return pa.schema(fields)


def create_raw_table(con, spec: ExtractFile) -> None:
    """`raw_<name>`: fixed columns from the contract (names are code constants, never file content). A
    temporary table: only staging, in the same connection, reads it, and a copy in the database file would
    cost as much again as the read (the rows are written once, typed, by staging)."""
    drop_raw(con, spec.name)
    columns = ", ".join(f'"{field.name}" {"BIGINT" if field.name.startswith("_line") else "VARCHAR"}'
                        for field in _raw_table_schema(spec))
    con.execute(f"CREATE OR REPLACE TEMP TABLE raw_{spec.name} ({columns})")


def _header_hint(header: list[str]) -> str | None:
    """Why a header that lacks a required column may not be a comma-separated UTF-8 header at all."""
    text = ",".join(header)
    if "\x00" in text or text.startswith(("\ufffd\ufffd", "\xff\xfe", "\xfe\xff", "\ufeff\x00")):
        return "looks UTF-16 encoded: the contract asks for UTF-8; save the file as UTF-8 CSV"
    if len(header) == 1 and ";" in text:
        return "looks semicolon-separated: the contract asks for comma-separated values"
    if len(header) == 1 and "\t" in text:
        return "looks tab-separated: the contract asks for comma-separated values"
    return None


def _map_header(spec: ExtractFile, header: list[str], file_label: str) -> tuple[list[int | None], list[tuple[int, str]]]:
    """Index of each contract column in the file, and the extra columns, checking required ones."""
    normalised = [h.strip().lower() for h in header]
    seen: dict[str, int] = {}
    for index, name in enumerate(normalised):
        if not name:
            continue
        if name in seen:
            if name not in spec.columns:
                continue  # a repeated extra column is ignored like any extra column
            raise ExtractError(file_label, "appears more than once in the header", column=name)
        seen[name] = index
    for column in spec.required_columns:
        if column not in seen:
            hint = _header_hint(header)
            if hint:
                raise ExtractError(file_label, f"{hint} (required column {column} not found)")
            raise ExtractError(file_label, "required column is missing", column=column)
    if spec.one_of and not any(c in seen for c in spec.one_of):
        raise ExtractError(file_label, "one of these columns is required and none is present",
                           column=" or ".join(spec.one_of))
    positions = [seen.get(column) for column in spec.columns]
    known = set(spec.columns)
    extras = [(i, name) for name, i in seen.items() if name not in known]
    return positions, extras


_NULL = pa.scalar(None, pa.string())
_REPLACEMENT = "\ufffd"  # what the decoder puts where a byte is not UTF-8


def _text_column(values) -> pa.Array:
    """A column of the file as Arrow text, the empty cell as null (CONTRACT.md: empty cell = null)."""
    import pyarrow.compute as pc

    array = pa.array(values, pa.string())
    return pc.if_else(pc.equal(array, ""), _NULL, array)


def _csv_chunk(rows: list[list[str]], starts: list[int], ends: list[int], width: int,
               positions: list[int | None], extras: list[tuple[int, str]], schema: pa.Schema,
               faults: dict[int, str] | None = None) -> pa.RecordBatch:
    """One batch of the raw table, built column-wise. The row's text is not kept here: only quarantined
    rows need it, and `fill_raw_text` reads it back from the file by line number after staging."""
    n = len(rows)
    errors: list[str | None] = [None] * n
    for i, fault in (faults or {}).items():
        errors[i] = fault
    for i, row in enumerate(rows):
        if len(row) != width:
            count = f"has {len(row)} fields, header has {width}"
            errors[i] = f"{errors[i]}; {count}" if errors[i] else count
            rows[i] = (row + [""] * width)[:width]
    if _REPLACEMENT in "\x1f".join(map("\x1f".join, rows)):
        for i, row in enumerate(rows):
            if any(_REPLACEMENT in field for field in row):
                errors[i] = "; ".join(filter(None, (errors[i], "not valid UTF-8")))
    columns = list(zip(*rows)) if n else [()] * width
    empty = pa.nulls(n, pa.string())
    arrays = [pa.array(starts, pa.int64()), pa.array(ends, pa.int64()), empty, pa.array(errors, pa.string())]
    arrays += [_text_column(columns[p]) if p is not None else empty for p in positions]
    if extras:
        extra_json = []
        for row in rows:
            extra = {name: row[i] for i, name in extras if row[i] != ""}
            extra_json.append(json.dumps(extra, ensure_ascii=False, separators=(",", ":")) if extra else None)
        arrays.append(pa.array(extra_json, pa.string()))
    else:
        arrays.append(empty)
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _read_header(reader, file_label: str) -> list[str]:
    """The header row of a CSV file; an empty or unparseable header makes the file unusable."""
    try:
        return next(reader)
    except StopIteration:
        raise ExtractError(file_label, "file is empty: no header row") from None
    except csv.Error as exc:
        raise ExtractError(file_label, f"header cannot be parsed as CSV ({exc})") from None


def _csv_batches(path: Path, spec: ExtractFile, chunk_rows: int) -> Iterator[pa.RecordBatch | tuple]:
    file_label = path.name
    schema = _raw_table_schema(spec)
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        header = _read_header(reader, file_label)
        header = [h.replace(_REPLACEMENT, "?") for h in header]
        positions, extras = _map_header(spec, header, file_label)
        yield ("extras", tuple(name for _, name in extras))
        width = len(header)
        rows: list[list[str]] = []
        starts: list[int] = []
        ends: list[int] = []
        faults: dict[int, str] = {}
        for first_line, last_line, row, fault in _records(handle, reader.line_num):
            if fault:
                faults[len(rows)] = fault
            rows.append(row)
            starts.append(first_line)
            ends.append(last_line)
            if len(rows) >= chunk_rows:
                yield _csv_chunk(rows, starts, ends, width, positions, extras, schema, faults)
                rows, starts, ends, faults = [], [], [], {}
        if rows:
            yield _csv_chunk(rows, starts, ends, width, positions, extras, schema, faults)


MAX_RECORD_LINES = 1000  # a quoted value longer than this is an unterminated quote, not a value


def _parse_record(text: str) -> tuple[list[str], str | None]:
    """The fields of one record, and what is wrong with its quoting (then the fields as a lenient
    parser reads them, the same as Arrow's reader gives)."""
    try:
        return next(csv.reader(io.StringIO(text, newline=""), strict=True), []), None
    except csv.Error as exc:
        fields = next(csv.reader(io.StringIO(text, newline=""), strict=False), [])
        return fields, f"malformed quoting ({exc})"


def _records(handle, header_lines: int) -> Iterator[tuple[int, int, list[str], str | None]]:
    """(first line, last line, fields, fault) of each record after the header: a record ends at a line
    end outside quotes. A malformed record is one row with its fault, never the end of the file: a stray
    quote (`"Aza 50mg" tabs`) is that record's fault; a quote left open until the end of the file (or for
    MAX_RECORD_LINES lines) makes its first line the faulty row, and reading resumes on the next line."""
    pending: list[str] = []  # physical lines of the record being read
    first = header_lines + 1
    lines = iter(handle)
    replay: list[str] = []
    while True:
        line = replay.pop(0) if replay else next(lines, None)
        if line is None:
            if not pending:
                return
            # end of file inside quotes: the first line is the faulty row, the rest is read again
            fields, _ = _parse_record(pending[0])
            yield first, first, fields, "unterminated quote (the value is never closed)"
            replay, pending, first = pending[1:], [], first + 1
            continue
        pending.append(line)
        text = "".join(pending)
        if text.count('"') % 2 == 1 and len(pending) < MAX_RECORD_LINES:
            continue  # inside a quoted value that goes on to the next line
        if text.count('"') % 2 == 1:  # open for too long: the first line is the faulty row
            fields, _ = _parse_record(pending[0])
            yield first, first, fields, "unterminated quote (the value is never closed)"
            replay, pending, first = pending[1:] + replay, [], first + 1
            continue
        last = first + len(pending) - 1
        if text.strip("\r\n") == "":
            pending, first = [], last + 1  # a blank line is not a row
            continue
        fields, fault = _parse_record(text)
        yield first, last, fields, fault
        pending, first = [], last + 1


def iter_lines(path: Path, wanted) -> Iterator[tuple[int, str]]:
    """(first line, text) of each line range [first, last] of a CSV file, the ranges given sorted, in one pass
    over the file: what the quarantine's raw text is read back from, a batch at a time."""
    wanted = iter(wanted)
    current = next(wanted, None)
    if current is None:
        return
    parts: list[str] = []
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            first, last = current
            if number < first:
                continue
            parts.append(line)
            if number == last:
                yield int(first), "".join(parts).rstrip("\r\n")
                parts = []
                current = next(wanted, None)
                if current is None:
                    return


def iter_single_lines(path: Path, wanted) -> Iterator[tuple[int, str]]:
    """(line, text) of each wanted line number (sorted) of a file whose every row is one line, as iter_lines
    gives it (UTF-8 with a bad byte replaced, the line end dropped), in one pass of 8 MB blocks whose newlines
    are found by numpy: no line of the file becomes a Python object unless it is wanted."""
    import numpy as np

    wanted = iter(wanted)
    current = next(wanted, None)
    first, carry = 1, b""  # the number of the first line of the next data; an unfinished last line
    with path.open("rb") as handle:
        while current is not None:
            block = handle.read(1 << 23)
            data = carry + block
            ends = np.flatnonzero(np.frombuffer(data, np.uint8) == ord("\n"))
            if block:  # whole lines only; the rest waits for the next block
                carry = data[int(ends[-1]) + 1:] if len(ends) else data
            elif data and not data.endswith(b"\n"):
                ends = np.append(ends, len(data))  # the last line, without a newline
            while current is not None and current < first + len(ends):
                index = current - first
                start = int(ends[index - 1]) + 1 if index else 0
                yield int(current), data[start:int(ends[index])].rstrip(b"\r\n").decode("utf-8", errors="replace")
                current = next(wanted, None)
            first += len(ends)
            if not block:
                return


DATE_COLUMNS = {"birth_date", "death_date", "start_date", "end_date", "collected_at", "event_date"}


def _parquet_text(column: pa.Array, name: str) -> pa.Array:
    """A Parquet column as the text the contract reads: native dates as YYYY-MM-DD, timestamps (with or
    without a zone) as YYYY-MM-DD HH:MM:SS, an integer date column written yyyymmdd as YYYY-MM-DD, nested
    values (lists, structs: extra columns the contract ignores) as JSON, anything else cast to text."""
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return column.cast(pa.string())
    if pa.types.is_timestamp(kind):
        return pc.strftime(column, format="%Y-%m-%d %H:%M:%S")
    if pa.types.is_date(kind):
        return pc.strftime(column, format="%Y-%m-%d")
    if pa.types.is_integer(kind) and name in DATE_COLUMNS:
        text = column.cast(pa.string())
        matched = pc.match_substring_regex(text, r"^\d{8}$")
        iso = pc.binary_join_element_wise(pc.utf8_slice_codeunits(text, 0, 4), pc.utf8_slice_codeunits(text, 4, 6),
                                          pc.utf8_slice_codeunits(text, 6, 8), "-")
        return pc.if_else(matched, iso, text)
    if pa.types.is_nested(kind) or pa.types.is_dictionary(kind) and pa.types.is_nested(kind.value_type):
        return pa.array([None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                         for v in column.to_pylist()], pa.string())
    try:
        return column.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([None if v is None else str(v) for v in column.to_pylist()], pa.string())


def _parquet_batches(path: Path, spec: ExtractFile, chunk_rows: int) -> Iterator[pa.RecordBatch | tuple]:
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
        text_columns = [_parquet_text(column, name.strip().lower())
                        for column, name in zip(batch.columns, batch.schema.names)]
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
            extra_rows.append(json.dumps(extra, ensure_ascii=False, separators=(",", ":")) if extra else None)
        line_numbers = pa.array(range(line, line + n), pa.int64())
        arrays = [line_numbers, line_numbers, pa.array(raw_rows, pa.string()),
                  pa.nulls(n, pa.string()), *values, pa.array(extra_rows, pa.string())]
        yield pa.RecordBatch.from_arrays(arrays, schema=schema)
        line += n


class _NotSimpleCsv(Exception):
    """The file is not one row per line (a value spans lines, a blank line, a field count that varies,
    quoting DuckDB will not read strictly, text that is not UTF-8): the line-by-line reader must read it."""


_NULL_MARK = "\x01aza-audit: no field\x01"  # DuckDB's null string: matches no field a file holds


def _file_facts(path: Path) -> tuple[str, int, bool]:
    """The file's sha256, its number of lines, and whether every line holds an even number of quotes (the
    exact reader takes a line with an odd number as a value going on to the next line), in one pass of 8 MB
    blocks, run beside DuckDB's read. Quotes are even on every line exactly when, taken in order, each pair
    (1st and 2nd, 3rd and 4th, ...) lies on one line: no newline between them."""
    import numpy as np

    digest, newlines, last, tail, even = hashlib.sha256(), 0, b"\n", b"", True
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 23), b""):
            digest.update(block)
            newlines += block.count(b"\n")
            last = block[-1:]
            if even:
                data = tail + block
                cut = data.rfind(b"\n") + 1
                tail = data[cut:]
                if data.find(b'"', 0, cut) >= 0:
                    quotes = np.flatnonzero(np.frombuffer(data, np.uint8, count=cut) == ord('"')).tolist()
                    even = len(quotes) % 2 == 0 and not any(
                        data.find(b"\n", start, end) >= 0 for start, end in zip(quotes[0::2], quotes[1::2]))
    return digest.hexdigest(), newlines + (last != b"\n"), even and tail.count(b'"') % 2 == 0


def drop_raw(con, name: str) -> None:
    """Remove a raw table (or the view the fast reader made) and what it was read into."""
    from .sql import drop_relation

    for table in (f"raw_{name}", f"raw_{name}_csv"):  # names from code (EXTRACT_FILES), never from a file
        drop_relation(con, table)


# The extra columns of a row as a JSON object of the non-empty ones, keyed by their names in the header, or
# NULL. Built from code only: the extract's name and the fields' positions; the names are read from the
# connection's variable aza_csv (sql/extracts/read_csv.sql), where they were bound.
def _extra_json(name: str, extras: list[tuple[int, str]], fields: list[str]) -> str:
    if not extras:
        return "null::varchar"
    entries = ", ".join(f"struct_pack(k := getvariable('aza_csv')['{name}'].extras[{k}], "
                        f"v := nullif({fields[i]}, ''))" for k, (i, _) in enumerate(extras, start=1))
    return f"nullif(to_json(map_from_entries(list_filter([{entries}], lambda e: e.v is not null)))::varchar, '{{}}')"


def _duckdb_csv(con, path: Path, spec: ExtractFile) -> tuple[int, tuple[str, ...], str]:
    """The fast reader: DuckDB's CSV parser (sql/extracts/read_csv.sql), for the common file where every row
    is one line; then the n-th data row is line n + 1, and `raw_<name>` is a view that streams the file
    (temporary, on this connection only, as the exact reader's table). Nothing is stored: one scan here checks
    every row, and staging reads the file again through the view. The view numbers the rows of a small file
    as it streams them (`row_number()`, which takes DuckDB down to one thread); a large file's rows
    (`lines_from_staging`) come with `_line` NULL, and staging numbers them by the order it writes them.
    Returns (rows, extra column names, sha256). Anything else raises _NotSimpleCsv, and the caller starts
    again with the line-by-line reader, which numbers any file exactly."""
    import concurrent.futures

    import duckdb

    from .sql import query_sql, run_sql

    file_label = path.name
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        header = _read_header(reader, file_label)
        if reader.line_num != 1 or any(_REPLACEMENT in h for h in header):
            raise _NotSimpleCsv()
    positions, extras = _map_header(spec, header, file_label)
    # Fields are named by position only (the last one c_last); the extra columns' names (from the file) are
    # bound into aza_csv.
    names = [f"c{i}" for i in range(len(header) - 1)] + ["c_last"]
    fields = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in names) + ", 'c_over': 'VARCHAR'}"
    drop_raw(con, spec.name)
    run_sql(con, "extracts/read_csv.sql", {"extract": spec.name, "path": str(path), "nullstr": _NULL_MARK,
                                           "extras": [name for _, name in extras]})
    con.execute(f"create or replace temp view csv_read as select * from aza_read_csv('{spec.name}', {fields})")
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        facts = pool.submit(_file_facts, path)
        try:
            rows, faulty, *_ = query_sql(con, "extracts/csv_faults.sql").fetchall()[0]
        except duckdb.Error:
            facts.result()
            con.execute("drop view csv_read")
            raise _NotSimpleCsv() from None
        sha256, lines, even_quotes = facts.result()
    if faulty or rows != lines - 1 or not even_quotes:
        con.execute("drop view csv_read")
        raise _NotSimpleCsv()
    con.execute(f"alter view csv_read rename to raw_{spec.name}_csv")
    # The view's expressions come from code only: contract column names and field positions.
    columns = [f"nullif({names[p]}, '') as {column}" if p is not None else f"null::varchar as {column}"
               for column, p in zip(spec.columns, positions)]
    if spec.lines_from_staging:
        numbering, source = "null::bigint as _line, null::bigint as _line_end", f"raw_{spec.name}_csv"
    else:
        numbering = "_row + 1 as _line, _row + 1 as _line_end"
        source = f"(select row_number() over () as _row, * from raw_{spec.name}_csv)"
    con.execute(f"create temp view raw_{spec.name} as select {numbering}, null::varchar as _raw, "
                f"null::varchar as _error, {', '.join(columns)}, {_extra_json(spec.name, extras, names)} as _extra "
                f"from {source}")
    return int(rows), tuple(name for _, name in extras), sha256


INSERT_ROWS = 250_000  # batches are gathered to about this many rows per INSERT


def _insert_batches(con, name: str, batches, progress=None) -> tuple[int, tuple[str, ...]]:
    rows = 0
    extras: tuple[str, ...] = ()
    pending: list[pa.RecordBatch] = []

    def flush() -> None:
        con.register("raw_chunk", pa.Table.from_batches(pending))
        con.execute(f"INSERT INTO raw_{name} SELECT * FROM raw_chunk")
        con.unregister("raw_chunk")
        pending.clear()
        if progress:
            progress(name, rows)

    for item in batches:
        if isinstance(item, tuple):
            extras = item[1]
            continue
        pending.append(item)
        rows += item.num_rows
        if sum(b.num_rows for b in pending) >= INSERT_ROWS:
            flush()
    if pending:
        flush()
    return rows, extras


def load_raw(con, extracts_dir: Path, name: str, chunk_rows: int = CHUNK_ROWS, progress=None,
             fast: bool = True) -> RawLoad:
    """Stream one extract file into `raw_<name>`; an absent optional file gives an empty table.
    CSV: DuckDB's own reader when every row is one line (`raw_<name>` is then a view over what it read), else
    (or with fast=False) the exact line-by-line reader; both give the same rows."""
    spec = EXTRACT_FILES[name]
    create_raw_table(con, spec)
    path = find_file(extracts_dir, name)
    if path is not None and not spec.required_file and path.stat().st_size == 0:
        path = None  # a 0-byte optional file (an export with nothing to say) is an absent file
    if path is None:
        if spec.required_file:
            raise ExtractError(f"{name}.csv", "required file is missing (looked for .csv and .parquet)")
        return RawLoad(name, None, None, None, 0)
    if path.suffix.lower() == ".parquet":
        rows, extras = _insert_batches(con, name, _parquet_batches(path, spec, chunk_rows), progress)
        return RawLoad(name, path, "parquet", file_sha256(path), rows, extras)
    if fast:
        try:
            rows, extras, sha256 = _duckdb_csv(con, path, spec)
            if progress:
                progress(name, rows)
            return RawLoad(name, path, "csv", sha256, rows, extras, one_line_rows=True)
        except _NotSimpleCsv:
            create_raw_table(con, spec)  # start again, exactly
    rows, extras = _insert_batches(con, name, _csv_batches(path, spec, chunk_rows), progress)
    return RawLoad(name, path, "csv", file_sha256(path), rows, extras)
