"""The suites: `expectations/<name>.json`, loaded so that a typo can never shrink one unnoticed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from great_expectations.core import ExpectationSuite
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

from pipelines.lib.paths import EXPECTATIONS_DIR

SUITE_NAMES: tuple[str, ...] = ("patients", "prescriptions", "labs", "events", "sites", "reviews")

# Depend only on the table's columns (their outcome has no row counts).
SCHEMA_ONLY = frozenset(
    {
        "expect_table_columns_to_match_set",
        "expect_table_columns_to_match_ordered_list",
        "expect_column_to_exist",
        "expect_table_column_count_to_equal",
        "expect_table_column_count_to_be_between",
    }
)


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


def column_label(exp: Expectation) -> str | None:
    """The column an expectation is about: "a,b" for a pair, None for a table-level one."""
    cfg = exp.configuration.kwargs
    if "column" in cfg:
        return str(cfg["column"])
    if "column_A" in cfg and "column_B" in cfg:
        return f"{cfg['column_A']},{cfg['column_B']}"
    if "column_list" in cfg:
        return ",".join(str(c) for c in cfg["column_list"])
    return None


def columns_used(exp: Expectation) -> list[str]:
    cfg = exp.configuration.kwargs
    cols: list[str] = []
    for key in ("column", "column_A", "column_B"):
        if key in cfg:
            cols.append(str(cfg[key]))
    cols.extend(str(c) for c in cfg.get("column_list") or [])
    return cols


def mostly(exp: Expectation) -> float | None:
    value = exp.configuration.kwargs.get("mostly")
    return float(value) if value is not None and float(value) < 1 else None
