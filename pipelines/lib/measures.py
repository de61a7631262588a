"""The report's measures (RULES.md, "Measures for the report"; not findings): `monitoring_compliance` and
`lymphocyte_response`, built by the files of `sql/measures/` in name order, from the episodes, blood tests
and lab results of the run. Every threshold is a bound profile parameter."""

from __future__ import annotations

from typing import Any, Mapping

from .sql import run_sql, sql_files

MEASURE_TABLES = ("monitoring_compliance", "lymphocyte_response")


def build_measures(con, params: Mapping[str, Any]) -> None:
    """Run sql/measures/*.sql into `monitoring_compliance` and `lymphocyte_response`.
    `params`: the run's SQL parameters (the profile's plus `as_of`); needs the episodes built."""
    for path in sql_files("measures"):
        run_sql(con, f"measures/{path.name}", params)
