"""Validating one DuckDB table against one suite, in SQL, inside the run's database (engine.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import great_expectations as gx
from great_expectations.core import ExpectationSuite
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

from ..sql import quote_ident
from .engine import shared_datasource
from .suites import SCHEMA_ONLY, column_label, columns_used, load_suite, mostly

MAX_EXAMPLES = 5
BATCH_VIEW = "aza_audit_batch"  # a temporary view, on GX's own cursor only, of the table validated
_RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 20}
_POSITION = "aza_audit_position"


@dataclass(frozen=True)
class ExpectationOutcome:
    """The result of one expectation of a suite over a whole table."""

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


_CONTEXT = None


def context():
    """One ephemeral GX context per process (no files, no analytics, no progress bars)."""
    global _CONTEXT
    if _CONTEXT is None:
        ctx = gx.get_context(mode="ephemeral")
        ctx.config.analytics_enabled = False
        ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        _CONTEXT = ctx
    return _CONTEXT


def quote_table(table: str) -> str:
    """Quote `table` or `schema.table` as DuckDB identifiers (the name comes from code)."""
    if not table or "\x00" in table:
        raise ValueError("invalid table name")
    return ".".join(quote_ident(part) for part in table.split("."))


def example_text(value: Any) -> str:
    """An offending value as the report shows it: a date as YYYY-MM-DD, a whole number without ".0"."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return ", ".join(f"{k}={example_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(example_text(v) for v in value)
    return str(value)


def _examples(result: dict) -> list[str]:
    examples: list[str] = []
    for value in result.get("partial_unexpected_list") or []:
        if value is None:  # a null is not an informative example
            continue
        text = example_text(value)
        if text not in examples:
            examples.append(text)
        if len(examples) >= MAX_EXAMPLES:
            break
    return examples


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


def _tagged(exp: Expectation, position: int) -> Expectation:
    """A fresh, unbound copy (GX refuses expectations that belong to another suite), tagged with its
    position so that its result can be matched back (GX reorders them)."""
    config = exp.configuration.to_json_dict()
    config.pop("id", None)
    config["meta"] = {**(config.get("meta") or {}), _POSITION: position}
    return ExpectationConfiguration(**config).to_domain_obj()


def _run(con, qtable: str, expectations: list[Expectation], suite_name: str) -> list:
    """GX's results for `expectations` on the table, in the order of `expectations`."""
    suite = ExpectationSuite(name=f"{suite_name}_run",
                             expectations=[_tagged(e, i) for i, e in enumerate(expectations)])
    with shared_datasource(context(), con, BATCH_VIEW, qtable) as source:
        asset = source.add_table_asset("batch", table_name=BATCH_VIEW)
        batch = asset.add_batch_definition_whole_table("whole").get_batch()
        result = batch.validate(suite, result_format=_RESULT_FORMAT)
    ordered: list = [None] * len(expectations)
    for evr in result.results:
        ordered[int(evr.expectation_config.meta[_POSITION])] = evr
    if any(evr is None for evr in ordered):
        raise RuntimeError(f"GX returned {len(result.results)} results for {len(expectations)} expectations")
    return ordered


def _outcome(suite_name: str, exp: Expectation, evr, row_count: int, error: str | None) -> ExpectationOutcome:
    etype = exp.expectation_type
    base = dict(suite=suite_name, expectation=etype, column_name=column_label(exp), mostly=mostly(exp))
    error = error or (_raised(evr) if evr is not None else None)
    if error is not None:
        return ExpectationOutcome(**base, success=False, element_count=0, unexpected_count=0, error=error)
    result = evr.result or {}
    if etype in SCHEMA_ONLY:
        mismatched = (result.get("details") or {}).get("mismatched") or {}
        missing = list(mismatched.get("missing") or [])
        unexpected = list(mismatched.get("unexpected") or []) if not evr.success else []
        return ExpectationOutcome(**base, success=bool(evr.success), element_count=row_count,
                                  unexpected_count=0 if evr.success else max(1, len(missing) + len(unexpected)),
                                  examples=[str(c) for c in (missing + unexpected)[:MAX_EXAMPLES]])
    return ExpectationOutcome(**base, success=bool(evr.success), element_count=int(result.get("element_count") or 0),
                              unexpected_count=int(result.get("unexpected_count") or 0),
                              missing_count=int(result.get("missing_count") or 0), examples=_examples(result))


def validate_table(con, table: str, suite_name: str) -> list[ExpectationOutcome]:
    """Validate DuckDB table `table` against suite `suite_name` with GX's SQL engine; one outcome per
    expectation, in suite order. `table` must come from code (it is quoted, not checked). An expectation
    on a column the table lacks fails with an error instead of being run."""
    expectations = list(load_suite(suite_name).expectations)
    qtable = quote_table(table)
    present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {qtable}").fetchall()}
    row_count = int(con.execute(f"SELECT count(*) FROM {qtable}").fetchall()[0][0])
    missing = {i: [c for c in columns_used(e) if c not in present] for i, e in enumerate(expectations)}
    runnable = [i for i in range(len(expectations)) if not missing[i]]
    results = dict(zip(runnable, _run(con, qtable, [expectations[i] for i in runnable], suite_name))) if runnable else {}
    return [_outcome(suite_name, exp, results.get(i), row_count,
                     f"column(s) not found: {', '.join(missing[i])}" if missing[i] else None)
            for i, exp in enumerate(expectations)]

