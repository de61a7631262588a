"""Great Expectations suites (expectations/<file>.json) run on pandas batches read from DuckDB.

GX 1.x cannot validate DuckDB tables directly (through duckdb_engine every expectation fails), so a
staged table is streamed out of DuckDB as Arrow, cut into chunks of `chunk_rows` rows, and each chunk
is validated as a pandas batch. Per-chunk results are merged exactly:

- row-wise ("map") expectations: element, missing and unexpected counts are summed and success is
  recomputed from the sums with GX's own `mostly` rule, so a chunked run gives the same answer as a
  single batch (a per-chunk "all chunks succeed" would be wrong for `mostly`);
- `expect_column_values_to_be_unique` compares rows across chunks, so it is answered by one DuckDB
  GROUP BY over the whole table instead of by GX;
- table-shape expectations (`expect_table_columns_to_match_set`, ...) are validated once with GX on
  an empty frame that carries every column of the table.

Any other expectation type (means, quantiles, increasing values, ...) cannot be merged across chunks
and is refused with an error rather than answered wrongly.

Offending example values are patient data: they are returned to the caller and stored in
`expectation_results`, never logged.
"""

from __future__ import annotations

import json
import logging
import math
import html
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

os.environ["GX_ANALYTICS_ENABLED"] = "false"  # before GX is imported: no usage statistics, ever

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402

import great_expectations as gx  # noqa: E402
from great_expectations.core import ExpectationSuite  # noqa: E402
from great_expectations.expectations.expectation import (  # noqa: E402
    ColumnMapExpectation,
    ColumnPairMapExpectation,
    Expectation,
    MulticolumnMapExpectation,
)
from great_expectations.expectations.expectation_configuration import (  # noqa: E402
    ExpectationConfiguration,
)

from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402

from pipelines.lib.paths import EXPECTATIONS_DIR  # noqa: E402

log = logging.getLogger(__name__)

SUITE_NAMES: tuple[str, ...] = ("patients", "prescriptions", "labs", "events", "reviews")
MAX_EXAMPLES = 5

# Answered by DuckDB over the whole table (they compare rows with each other).
_CROSS_ROW_DUCKDB = frozenset({"expect_column_values_to_be_unique"})
# Column map expectations that compare rows with each other: not mergeable across chunks.
_CROSS_ROW_UNSUPPORTED = frozenset(
    {
        "expect_column_values_to_be_increasing",
        "expect_column_values_to_be_decreasing",
        "expect_compound_columns_to_be_unique",
        "expect_column_value_z_scores_to_be_less_than",
        "expect_column_values_to_not_be_outliers",
    }
)
# Depend only on the table's columns: validated once on an empty frame.
_SCHEMA_ONLY = frozenset(
    {
        "expect_table_columns_to_match_set",
        "expect_table_columns_to_match_ordered_list",
        "expect_column_to_exist",
        "expect_table_column_count_to_equal",
        "expect_table_column_count_to_be_between",
    }
)

# pandas datetime64[ns] spans 1677-09-21 .. 2262-04-11. Dates outside are clamped to these bounds
# when read (they stay outside every plausible range, so they are still counted as unexpected; the
# example shown is then the bound, not the original value).
_TS_LOW = "1678-01-01"
_TS_HIGH = "2261-12-31"


@dataclass(frozen=True)
class ExpectationOutcome:
    """The merged result of one expectation of a suite over a whole table."""

    suite: str
    expectation: str  # expectation type, e.g. expect_column_values_to_not_be_null
    column_name: str | None  # "a,b" for column pairs, None for table-level expectations
    success: bool
    element_count: int
    unexpected_count: int
    examples: list[str] = field(default_factory=list)  # up to 5 offending values: patient data
    mostly: float | None = None  # the expectation's `mostly` when it has one below 1
    missing_count: int = 0  # rows not considered (nulls, or rows ignored by a pair expectation)
    error: str | None = None  # set when the expectation could not be evaluated at all


# --------------------------------------------------------------------------------------------
# Suites


def _suite_path(name: str) -> Path:
    if name not in SUITE_NAMES and not (EXPECTATIONS_DIR / f"{name}.json").is_file():
        raise KeyError(f"no expectation suite named {name!r} in {EXPECTATIONS_DIR}")
    return EXPECTATIONS_DIR / f"{name}.json"


def _raw_suite(name: str) -> dict[str, Any]:
    return json.loads(_suite_path(name).read_text(encoding="utf-8"))


def load_suite(name: str) -> ExpectationSuite:
    """The suite in expectations/<name>.json.

    `ExpectationSuite(...)` silently drops (with a logged traceback) every expectation whose
    configuration is invalid; here each one is built first, and any failure raises, naming the
    entry, so a typo in a suite can never shrink it unnoticed.
    """
    raw = _raw_suite(name)
    entries = raw.get("expectations")
    if not isinstance(entries, list):
        raise ValueError(f"expectations/{name}.json: 'expectations' must be a list")
    built: list[Expectation] = []
    for i, entry in enumerate(entries):
        try:
            built.append(ExpectationConfiguration(**entry).to_domain_obj())
        except Exception as exc:  # invalid type, unknown kwarg, bad value, ...
            label = entry.get("type") if isinstance(entry, dict) else entry
            raise ValueError(f"expectations/{name}.json: expectation #{i} ({label}) does not load: {exc}") from exc
    suite = ExpectationSuite(
        name=raw.get("name") or name,
        expectations=built,
        suite_parameters=raw.get("suite_parameters") or {},
        meta=raw.get("meta") or None,
        notes=raw.get("notes"),
    )
    if len(suite.expectations) != len(entries):
        raise ValueError(
            f"expectations/{name}.json holds {len(entries)} expectations but {len(suite.expectations)} loaded"
        )
    return suite


def expected_expectation_counts() -> dict[str, int]:
    """Number of expectation entries in each suite's JSON file, counted raw (before GX parses them)."""
    return {name: len(_raw_suite(name).get("expectations") or []) for name in SUITE_NAMES}


def _column_label(exp: Expectation) -> str | None:
    cfg = exp.configuration.kwargs
    if "column" in cfg:
        return str(cfg["column"])
    if "column_A" in cfg and "column_B" in cfg:
        return f"{cfg['column_A']},{cfg['column_B']}"
    if "column_list" in cfg:
        return ",".join(str(c) for c in cfg["column_list"])
    return None


def _columns_used(exp: Expectation) -> list[str]:
    cfg = exp.configuration.kwargs
    cols: list[str] = []
    for key in ("column", "column_A", "column_B"):
        if key in cfg:
            cols.append(str(cfg[key]))
    cols.extend(str(c) for c in cfg.get("column_list") or [])
    return cols


def _mostly(exp: Expectation) -> float | None:
    value = exp.configuration.kwargs.get("mostly")
    return float(value) if value is not None and float(value) < 1 else None


def _kind(exp: Expectation) -> str:
    """How an expectation is evaluated: 'duckdb', 'schema' or 'map'; raise when not chunk-safe."""
    etype = exp.expectation_type
    if etype in _CROSS_ROW_DUCKDB:
        return "duckdb"
    if etype in _SCHEMA_ONLY:
        return "schema"
    if etype in _CROSS_ROW_UNSUPPORTED or not isinstance(
        exp, ColumnMapExpectation | ColumnPairMapExpectation | MulticolumnMapExpectation
    ):
        raise ValueError(
            f"{etype} cannot be merged across chunks; chunked validation supports row-wise expectations, "
            f"table-column expectations and expect_column_values_to_be_unique"
        )
    return "map"


# --------------------------------------------------------------------------------------------
# Reading DuckDB tables


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_table(table: str) -> str:
    """Quote `table` or `schema.table` as DuckDB identifiers (the name comes from code)."""
    if not table or "\x00" in table:
        raise ValueError("invalid table name")
    return ".".join(_quote_ident(part) for part in table.split("."))


def _select_list(columns: Sequence[tuple[str, str]]) -> str:
    parts = []
    for name, dtype in columns:
        q = _quote_ident(name)
        upper = dtype.upper()
        if upper == "DATE":
            parts.append(
                f"CASE WHEN {q} < DATE '{_TS_LOW}' THEN DATE '{_TS_LOW}' "
                f"WHEN {q} > DATE '{_TS_HIGH}' THEN DATE '{_TS_HIGH}' ELSE {q} END AS {q}"
            )
        elif upper.startswith("TIMESTAMP"):
            ts = f"{q}::TIMESTAMP"
            parts.append(
                f"CASE WHEN {ts} < TIMESTAMP '{_TS_LOW}' THEN TIMESTAMP '{_TS_LOW}' "
                f"WHEN {ts} > TIMESTAMP '{_TS_HIGH}' THEN TIMESTAMP '{_TS_HIGH}' ELSE {ts} END AS {q}"
            )
        else:
            parts.append(q)
    return ", ".join(parts) if parts else "NULL AS _no_columns"


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas with the dtypes GX's pandas metrics expect.

    Dates and timestamps become datetime64[ns] (GX compares date strings only against ns
    datetimes); numbers become float64 (GX's vectorised numeric path).
    """
    df = table.to_pandas(date_as_object=False)
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            if isinstance(s.dtype, pd.DatetimeTZDtype):
                s = s.dt.tz_convert("UTC").dt.tz_localize(None)
            df[col] = s.astype("datetime64[ns]")
        elif pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            df[col] = s.astype("float64")
    return df


def _chunks(reader: pa.RecordBatchReader, chunk_rows: int) -> Iterator[pa.Table]:
    """Tables of exactly chunk_rows rows (the last one shorter) from a stream of record batches."""
    buffered: list[pa.RecordBatch] = []
    n = 0
    for batch in reader:
        buffered.append(batch)
        n += batch.num_rows
        while n >= chunk_rows:
            table = pa.Table.from_batches(buffered, schema=reader.schema)
            yield table.slice(0, chunk_rows)
            rest = table.slice(chunk_rows)
            buffered = rest.to_batches()
            n = rest.num_rows
            del table
    if n:
        yield pa.Table.from_batches(buffered, schema=reader.schema)


# --------------------------------------------------------------------------------------------
# Validation

_CONTEXT = None


def _context():
    """One ephemeral GX context per process (no files, no analytics)."""
    global _CONTEXT
    if _CONTEXT is None:
        context = gx.get_context(mode="ephemeral")
        context.config.analytics_enabled = False
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        _CONTEXT = context
    return _CONTEXT


def _batch_definition():
    context = _context()
    try:
        source = context.data_sources.get("aza_audit_frames")
    except Exception:
        source = context.data_sources.add_pandas("aza_audit_frames")
    try:
        asset = source.get_asset("staged")
    except Exception:
        asset = source.add_dataframe_asset("staged")
    try:
        return asset.get_batch_definition("whole")
    except Exception:
        return asset.add_batch_definition_whole_dataframe("whole")


_RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 20}


_LOW_TS = pd.Timestamp(_TS_LOW)
_HIGH_TS = pd.Timestamp(_TS_HIGH)


def _is_missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, dicts
        return False


def _example_text(value: Any) -> str:
    if isinstance(value, pd.Timestamp | datetime | np.datetime64):
        ts = pd.Timestamp(value)
        text = ts.date().isoformat() if ts == ts.normalize() else ts.isoformat(sep=" ")
        if ts == _LOW_TS:  # clamped on reading: the stored date is this day or earlier
            return f"{text} or earlier"
        if ts == _HIGH_TS:
            return f"{text} or later"
        return text
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return ", ".join(f"{k}={_example_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_example_text(v) for v in value)
    return str(value)


@dataclass
class _Acc:
    element_count: int = 0
    missing_count: int = 0
    unexpected_count: int = 0
    examples: list[str] = field(default_factory=list)
    error: str | None = None

    def add(self, evr) -> None:
        error = _raised(evr)
        if error is not None:
            self.error = error
            return
        result = evr.result or {}
        self.element_count += int(result.get("element_count") or 0)
        self.missing_count += int(result.get("missing_count") or 0)
        self.unexpected_count += int(result.get("unexpected_count") or 0)
        for value in result.get("partial_unexpected_list") or []:
            if len(self.examples) >= MAX_EXAMPLES:
                break
            if _is_missing(value):  # a null is not an informative example
                continue
            text = _example_text(value)
            if text not in self.examples:
                self.examples.append(text)


def _raised(evr) -> str | None:
    """The exception message when GX could not evaluate the expectation, else None.

    exception_info is either flat ({"raised_exception": ...}) or keyed by metric id."""
    info = evr.exception_info or {}
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "expectation raised")
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message") or "expectation raised")
    return None


def _mostly_success(considered: int, unexpected: int, mostly: float) -> bool:
    """GX's rule (expectation._mostly_success): vacuously true when no row is considered."""
    if considered <= 0:
        return True
    return (considered - unexpected) / considered >= mostly


_POSITION = "aza_audit_position"


def _validate_frame(df: pd.DataFrame, expectations: list[Expectation], suite_name: str) -> list:
    """GX results for `expectations` on `df`, in the order of `expectations` (GX reorders them)."""
    suite = ExpectationSuite(
        name=f"{suite_name}_part", expectations=[_copy(e, i) for i, e in enumerate(expectations)]
    )
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": df})
    result = batch.validate(suite, result_format=_RESULT_FORMAT)
    ordered: list = [None] * len(expectations)
    for evr in result.results:
        ordered[int(evr.expectation_config.meta[_POSITION])] = evr
    if any(evr is None for evr in ordered):
        raise RuntimeError(f"GX returned {len(result.results)} results for {len(expectations)} expectations")
    return ordered


def _copy(exp: Expectation, position: int) -> Expectation:
    # A fresh, unbound instance each time (GX refuses expectations that belong to another suite),
    # tagged with its position so results can be matched back.
    config = exp.configuration.to_json_dict()
    config.pop("id", None)
    config["meta"] = {**(config.get("meta") or {}), _POSITION: position}
    return ExpectationConfiguration(**config).to_domain_obj()


def _unique_outcome(con, qtable: str, column: str, present: bool) -> _Acc:
    acc = _Acc()
    if not present:
        acc.error = f"column {column!r} not found"
        return acc
    qc = _quote_ident(column)
    total, nonnull = con.execute(f"SELECT count(*), count({qc}) FROM {qtable}").fetchall()[0]
    dup_rows, = con.execute(
        f"SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {qtable} "
        f"WHERE {qc} IS NOT NULL GROUP BY {qc} HAVING count(*) > 1)"
    ).fetchall()[0]
    examples = con.execute(
        f"SELECT {qc}::VARCHAR FROM {qtable} WHERE {qc} IS NOT NULL GROUP BY {qc} "
        f"HAVING count(*) > 1 ORDER BY 1 LIMIT {MAX_EXAMPLES}"
    ).fetchall()
    acc.element_count = int(total)
    acc.missing_count = int(total) - int(nonnull)
    acc.unexpected_count = int(dup_rows)
    acc.examples = [row[0] for row in examples]
    return acc


def validate_table(
    con: duckdb.DuckDBPyConnection, table: str, suite_name: str, chunk_rows: int = 500_000
) -> list[ExpectationOutcome]:
    """Validate DuckDB table `table` against suite `suite_name`, chunk by chunk; one outcome per
    expectation, in suite order. `table` must come from code (it is quoted, not checked)."""
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be positive")
    suite = load_suite(suite_name)
    expectations = list(suite.expectations)
    kinds = [_kind(e) for e in expectations]
    qtable = _quote_table(table)

    described = con.execute(f"DESCRIBE SELECT * FROM {qtable}").fetchall()
    all_columns = [(row[0], str(row[1])) for row in described]
    present = {name for name, _ in all_columns}

    accs: list[_Acc] = [_Acc() for _ in expectations]
    schema_success: dict[int, bool] = {}

    # 1. cross-row expectations over the whole table, in DuckDB
    for i, exp in enumerate(expectations):
        if kinds[i] == "duckdb":
            column = str(exp.configuration.kwargs["column"])
            accs[i] = _unique_outcome(con, qtable, column, column in present)
    row_count = int(con.execute(f"SELECT count(*) FROM {qtable}").fetchall()[0][0])

    # 2. table-shape expectations, once, on an empty frame with every column
    schema_idx = [i for i, k in enumerate(kinds) if k == "schema"]
    if schema_idx:
        empty = _to_pandas(con.sql(f"SELECT {_select_list(all_columns)} FROM {qtable} LIMIT 0").to_arrow_table())
        for i, evr in zip(schema_idx, _validate_frame(empty, [expectations[j] for j in schema_idx], suite_name)):
            acc = accs[i]
            acc.error = _raised(evr)
            if acc.error is not None:
                continue
            schema_success[i] = bool(evr.success)
            details = (evr.result or {}).get("details") or {}
            mismatched = details.get("mismatched") or {}
            missing_cols = list(mismatched.get("missing") or [])
            unexpected_cols = list(mismatched.get("unexpected") or []) if not evr.success else []
            acc.element_count = row_count
            acc.unexpected_count = 0 if evr.success else max(1, len(missing_cols) + len(unexpected_cols))
            acc.examples = [str(c) for c in (missing_cols + unexpected_cols)[:MAX_EXAMPLES]]

    # 3. row-wise expectations, chunk by chunk, reading only the columns they use
    map_idx = [i for i, k in enumerate(kinds) if k == "map"]
    if map_idx:
        runnable = [i for i in map_idx if all(c in present for c in _columns_used(expectations[i]))]
        for i in set(map_idx) - set(runnable):
            missing = [c for c in _columns_used(expectations[i]) if c not in present]
            accs[i].error = f"column(s) not found: {', '.join(missing)}"
        wanted = {c for i in runnable for c in _columns_used(expectations[i])}
        columns = [(n, t) for n, t in all_columns if n in wanted]
        if runnable:
            run_exps = [expectations[i] for i in runnable]
            reader = con.sql(f"SELECT {_select_list(columns)} FROM {qtable}").to_arrow_reader()
            seen_chunk = False
            for chunk in _chunks(reader, chunk_rows):
                seen_chunk = True
                df = _to_pandas(chunk)
                del chunk
                for i, evr in zip(runnable, _validate_frame(df, run_exps, suite_name)):
                    accs[i].add(evr)
                del df
            if not seen_chunk:  # empty table: still evaluate (vacuously) so errors surface
                empty = _to_pandas(reader.schema.empty_table())
                for i, evr in zip(runnable, _validate_frame(empty, run_exps, suite_name)):
                    accs[i].add(evr)

    outcomes: list[ExpectationOutcome] = []
    for i, exp in enumerate(expectations):
        acc = accs[i]
        mostly = _mostly(exp)
        if acc.error is not None:
            success = False
        elif kinds[i] == "schema":
            success = schema_success.get(i, False)
        else:
            considered = acc.element_count - acc.missing_count
            success = _mostly_success(considered, acc.unexpected_count, mostly if mostly is not None else 1.0)
        outcomes.append(
            ExpectationOutcome(
                suite=suite_name,
                expectation=exp.expectation_type,
                column_name=_column_label(exp),
                success=bool(success),
                element_count=acc.element_count,
                unexpected_count=acc.unexpected_count,
                examples=acc.examples[:MAX_EXAMPLES],
                mostly=mostly,
                missing_count=acc.missing_count,
                error=acc.error,
            )
        )
    return outcomes


# --------------------------------------------------------------------------------------------
# Storing results

_RESULTS_DDL = """
CREATE TABLE IF NOT EXISTS expectation_results (
    suite VARCHAR,
    expectation VARCHAR,
    column_name VARCHAR,
    success BOOLEAN,
    element_count BIGINT,
    unexpected_count BIGINT,
    examples VARCHAR[]
)
"""


def store_results(con: duckdb.DuckDBPyConnection, suite_name: str, outcomes: Sequence[ExpectationOutcome]) -> None:
    """Replace `suite_name`'s rows of expectation_results (created when missing) with `outcomes`."""
    con.execute(_RESULTS_DDL)
    rows = [
        (suite_name, o.expectation, o.column_name, o.success, o.element_count, o.unexpected_count, list(o.examples))
        for o in outcomes
    ]
    con.execute("DELETE FROM expectation_results WHERE suite = ?", [suite_name])
    if rows:
        con.executemany(
            "INSERT INTO expectation_results "
            "(suite, expectation, column_name, success, element_count, unexpected_count, examples) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


# --------------------------------------------------------------------------------------------
# Data Docs


def _stored_results(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_name = 'expectation_results' AND table_schema = current_schema()"
    ).fetchall()[0][0]
    if not exists:
        return {}
    rows = con.execute(
        "SELECT suite, expectation, column_name, success, element_count, unexpected_count, examples "
        "FROM expectation_results ORDER BY rowid"
    ).fetchall()
    by_suite: dict[str, list[tuple]] = {}
    for row in rows:
        by_suite.setdefault(row[0], []).append(row)
    return by_suite


def _suite_validation_result(suite: ExpectationSuite, suite_name: str, rows: list[tuple], run_time: datetime):
    """Rebuild a GX ExpectationSuiteValidationResult from the merged counts in expectation_results.

    Each stored row is matched to the suite's expectation with the same type and column, in order.
    The result dicts carry what GX's own SUMMARY format has for the renderers: element and unexpected
    counts and percentages, and the stored examples as the partial unexpected list.
    """
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )

    unused = list(rows)
    results = []
    for exp in suite.expectations:
        key = (exp.expectation_type, _column_label(exp))
        match = next((r for r in unused if (r[1], r[2]) == key), None)
        if match is None:
            continue  # the suite gained an expectation since the last validation
        unused.remove(match)
        _, _, _, success, element_count, unexpected_count, examples = match
        # GX's renderer puts values into the page as HTML: escaped here, so a value is shown, never run
        examples = [html.escape(str(e)) for e in (examples or [])]
        element_count = int(element_count or 0)
        unexpected_count = int(unexpected_count or 0)
        if exp.expectation_type in _SCHEMA_ONLY:
            result: dict[str, Any] = {"observed_value": "missing: " + ", ".join(examples) if examples else "as expected"}
        else:
            pct = unexpected_count / element_count * 100 if element_count else 0.0
            result = {
                "element_count": element_count,
                "unexpected_count": unexpected_count,
                "unexpected_percent": pct,
                "unexpected_percent_total": pct,
                "partial_unexpected_list": list(examples or []),
            }
        results.append(
            ExpectationValidationResult(
                success=bool(success),
                expectation_config=exp.configuration,
                result=result,
                exception_info={"raised_exception": False, "exception_message": None, "exception_traceback": None},
            )
        )
    evaluated = len(results)
    successful = sum(1 for r in results if r.success)
    return ExpectationSuiteValidationResult(
        success=successful == evaluated,
        results=results,
        suite_name=suite.name,
        statistics={
            "evaluated_expectations": evaluated,
            "successful_expectations": successful,
            "unsuccessful_expectations": evaluated - successful,
            "success_percent": successful / evaluated * 100 if evaluated else None,
        },
        meta={
            "great_expectations_version": gx.__version__,
            "expectation_suite_name": suite.name,
            "run_id": {"run_name": "aza-audit", "run_time": run_time.isoformat()},
            "validation_time": run_time.isoformat(),
            "active_batch_definition": {
                "datasource_name": "aza_audit_duckdb",
                "data_connector_name": "chunked_pandas",
                "data_asset_name": f"stg_{suite_name}",
                "batch_identifiers": {},
            },
            "batch_markers": {},
            "batch_spec": {
                "data_asset_name": f"stg_{suite_name}",
                "table": f"stg_{suite_name}",
                "validated_as": "pandas chunks read from DuckDB, counts merged",
            },
        },
    )


_REMOTE_LOGO = re.compile(r"https://great-expectations-web-assets\.s3\.[^\"'\s]*?\.png[^\"'\s]*")


_REMOTE_TAG = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.IGNORECASE)
_OFFLINE_NOTE = ('<meta http-equiv="Content-Security-Policy" content="default-src \'self\' \'unsafe-inline\' data:; '
                 'connect-src \'none\'">')


def _localise(site: Path) -> None:
    """Data Docs that load nothing from the network: GX's navbar logo (fetched from S3 with the data
    context id in the query string) points at the copy shipped inside the site, and every script and
    stylesheet from a public CDN (Bootstrap, jQuery, fonts, without integrity checks) is removed; a
    Content-Security-Policy forbids any other remote load. The pages are plainer, and private."""
    logo = site / "static" / "images" / "logo-long.png"
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        rel = Path(os.path.relpath(logo, page.parent)).as_posix()
        new = _REMOTE_TAG.sub("", _REMOTE_LOGO.sub(rel, text))
        new = re.sub(r"<head>", "<head>" + _OFFLINE_NOTE, new, count=1, flags=re.IGNORECASE)
        if new != text:
            page.write_text(new, encoding="utf-8")


def build_data_docs(con: duckdb.DuckDBPyConnection, out_dir: Path) -> Path | None:
    """GX Data Docs (a static HTML site) of the last stored validation of every suite.

    Built by GX's own site builder in a throwaway file context (no network, no analytics) from the
    rows of expectation_results, then copied to out_dir/data_docs. Returns its index.html, or None
    when no suite has been validated yet. The pages show the stored example values: they are for
    the care team, like the report that links them.
    """
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.data_context.context_factory import project_manager
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    stored = _stored_results(con)
    if not stored:
        return None
    out_dir = Path(out_dir)
    target = out_dir / "data_docs"
    run_time = datetime.now(timezone.utc)
    previous = _CONTEXT
    # built inside the run's temporary output folder (removed with it, swept if a run is killed), never in /tmp
    with tempfile.TemporaryDirectory(prefix=".gx-build-", dir=out_dir) as tmp:
        context = gx.get_context(mode="file", project_root_dir=tmp)
        try:
            context.config.analytics_enabled = False
            for suite_name, rows in stored.items():
                try:
                    suite = load_suite(suite_name)
                except KeyError:
                    continue  # rows of a suite that no longer exists
                suite = context.suites.add(suite)
                result = _suite_validation_result(suite, suite_name, rows, run_time)
                key = ValidationResultIdentifier(
                    expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite.name),
                    run_id=RunIdentifier(run_name="aza-audit", run_time=run_time),
                    batch_identifier=f"stg_{suite_name}",
                )
                context.validation_results_store.set(key, result)
            context.build_data_docs()
            site = Path(tmp) / "gx" / "uncommitted" / "data_docs" / "local_site"
            if not (site / "index.html").is_file():
                return None
            if target.exists():
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(site, target)
            _localise(target)
        finally:
            # get_context() made the throwaway context current; do not leave it pointing at a deleted dir
            project_manager.set_project(previous)
    return target / "index.html"
