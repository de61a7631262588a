"""The outcomes of the last validation of each suite, kept in DuckDB (`expectation_results`): what the
report and the Data Docs read, possibly in another process than the one that validated."""

from __future__ import annotations

from collections.abc import Sequence

from pipelines.lib.sql import run_sql, table_exists

from .validate import ExpectationOutcome


def store_results(con, suite_name: str, outcomes: Sequence[ExpectationOutcome]) -> None:
    """Replace `suite_name`'s rows of expectation_results (created when missing) with `outcomes`."""
    run_sql(con, "expectations/00_results.sql")
    run_sql(con, "expectations/delete_suite.sql", {"suite": suite_name})
    for o in outcomes:
        run_sql(con, "expectations/insert.sql",
                {"suite": suite_name, "expectation": o.expectation, "column_name": o.column_name,
                 "success": o.success, "element_count": o.element_count, "unexpected_count": o.unexpected_count,
                 "examples": list(o.examples)})


def stored_results(con) -> dict[str, list[tuple]]:
    """The stored rows by suite, in suite order."""
    if not table_exists(con, "expectation_results"):
        return {}
    by_suite: dict[str, list[tuple]] = {}
    for row in run_sql(con, "expectations/stored.sql").fetchall():
        by_suite.setdefault(row[0], []).append(row)
    return by_suite
