"""Normalise: codelists into DuckDB, then the tables the rules read (sql/normalise/)."""

from __future__ import annotations

from typing import Any, Mapping

from .paths import CODELISTS_DIR
from .sql import drop_relation, run_sql, sql_files

CODELIST_FILES = ("azathioprine_codes", "azathioprine_names", "dmt", "lab_codes", "lab_names", "units",
                  "tpmt_phenotypes", "non_results", "test_groups", "xoi")


def codelist_version() -> str:
    return (CODELISTS_DIR / "VERSION").read_text(encoding="utf-8").strip()


def codelist_params() -> dict[str, str]:
    return {f"{name}_path": str(CODELISTS_DIR / f"{name}.csv") for name in CODELIST_FILES}


def normalise(con, params: Mapping[str, Any]) -> None:
    """Build patients, aza_prescriptions, dmt_prescriptions, lab_results, blood_tests, tpmt_results,
    weights, events and the data-quality tables. `params`: the run's SQL parameters."""
    bound = {**params, **codelist_params()}
    drop_relation(con, "lab_mapping")  # a table before version 3, a view now
    drop_relation(con, "drug_matches")  # a table in earlier versions: drug_map (temporary) replaced it
    for path in sql_files("normalise"):
        run_sql(con, f"normalise/{path.name}", bound)


def table_counts(con, tables: tuple[str, ...]) -> dict[str, int]:
    """Row counts of known tables (names are code constants), for Dagster metadata."""
    return {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}
