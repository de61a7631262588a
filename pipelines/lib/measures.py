"""The report's measures (RULES.md, "Measures for the report"; not findings): `monitoring_compliance`,
`lymphocyte_response` and `rule_rates_by_month`, built by the files of `sql/measures/` in name order, from the
episodes, blood tests, lab results, rule populations and findings of the run. Every threshold is a bound
profile parameter."""

from __future__ import annotations

from typing import Any, Mapping

from .sql import run_sql, sql_files


def build_measures(con, params: Mapping[str, Any]) -> None:
    """Run sql/measures/*.sql into the measure tables.
    `params`: the run's SQL parameters (the profile's plus `as_of`); needs the episodes and rules run."""
    for path in sql_files("measures"):
        run_sql(con, f"measures/{path.name}", params)
