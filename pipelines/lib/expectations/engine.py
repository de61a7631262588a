"""The one adapter between Great Expectations 1.x and DuckDB: GX's own SQL execution engine, validating the
run's tables where they are, inside the run's database.

GX reaches DuckDB through SQLAlchemy and `duckdb_engine`. Two things stand in the way, and this module
mends exactly those two:

1. `SqlAlchemyExecutionEngine.execute_query` returns a cursor result after its `with self.get_connection()`
   block has closed the connection; a duckdb_engine result cannot be read after that, so every expectation
   fails with `IndexError: list index out of range`. `DuckDBExecutionEngine.execute_query` buffers the
   result (`result.freeze()()`) inside the block.
2. GX knows no DuckDB regex function, so `expect_column_values_to_match_regex` (and its relatives) would
   raise "Regex is not supported for dialect duckdb". DuckDB's `regexp_matches` (RE2, a search anywhere in
   the value, as the pandas engine's `str.contains`) is given to GX's regex helper for this dialect only.

No second database is opened, and no other configuration: the SQLAlchemy engine's one connection is a
cursor of the run's own DuckDB connection (`con.cursor()`: same database, same memory limit and threads),
so GX sees the committed tables of the run. `shared_datasource(con)` adds it to a GX context for one
validation and removes it after.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Iterator, Literal

import duckdb_engine
import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from great_expectations.datasource.fluent.sql_datasource import SQLDatasource
from great_expectations.execution_engine.sqlalchemy_execution_engine import SqlAlchemyExecutionEngine

_ENGINES: dict[str, sa.Engine] = {}  # connection string (a token, no path) -> engine over the run's connection


class DuckDBExecutionEngine(SqlAlchemyExecutionEngine):
    """GX's SQL execution engine on an engine over the run's connection, results buffered before the
    connection block ends."""

    def __init__(self, *args, connection_string: str | None = None, **kwargs):
        kwargs.pop("engine", None)
        super().__init__(*args, engine=_ENGINES[connection_string], **kwargs)

    def execute_query(self, query):
        with self.get_connection() as connection:
            return self._execute_query_with_recovery(connection, query).freeze()()


class RunDatabaseDatasource(SQLDatasource):
    """A GX SQL data source whose connection string is only a key into this module's engines."""

    type: Literal["aza_audit_duckdb"] = "aza_audit_duckdb"

    @property
    def execution_engine_type(self):
        return DuckDBExecutionEngine

    def _create_engine(self) -> sa.Engine:
        return _ENGINES[self.connection_string]


def _regex_for_duckdb(original):
    def regex_expression(column, regex, dialect, positive=True):
        if isinstance(dialect, duckdb_engine.Dialect):
            matches = sa.func.regexp_matches(column, sa.literal(regex))
            return matches if positive else sa.not_(matches)
        return original(column, regex, dialect, positive)

    regex_expression.aza_audit_duckdb = True
    return regex_expression


def _teach_regex() -> None:
    """GX's metric modules import `get_dialect_regex_expression` by name: each one's copy is wrapped."""
    import importlib

    for name in ("column_map_metrics.column_values_match_regex", "column_map_metrics.column_values_not_match_regex",
                 "column_map_metrics.column_values_match_regex_list",
                 "column_map_metrics.column_values_not_match_regex_list",
                 "column_aggregate_metrics.column_values_match_regex_values",
                 "column_aggregate_metrics.column_values_not_match_regex_values"):
        module = importlib.import_module(f"great_expectations.expectations.metrics.{name}")
        current = module.get_dialect_regex_expression
        if not getattr(current, "aza_audit_duckdb", False):
            module.get_dialect_regex_expression = _regex_for_duckdb(current)


_teach_regex()


@contextlib.contextmanager
def shared_datasource(context, con, view: str, of_table: str) -> Iterator[RunDatabaseDatasource]:
    """A GX data source over `con`'s database for the duration of the block, in which `view` is a temporary
    view of `of_table` (both quoted names from code; the view lives on GX's cursor only and goes with it)."""
    key = f"duckdb:///aza-audit-run-{uuid.uuid4().hex}"
    cursor = con.cursor()
    cursor.execute(f"CREATE TEMP VIEW {view} AS SELECT * FROM {of_table}")
    _ENGINES[key] = sa.create_engine("duckdb://", creator=lambda: duckdb_engine.ConnectionWrapper(cursor),
                                     poolclass=StaticPool)
    name = key.rsplit("/", 1)[1]
    try:
        yield context.data_sources.add_aza_audit_duckdb(name=name, connection_string=key)
    finally:
        with contextlib.suppress(Exception):
            context.data_sources.delete(name)
        _ENGINES.pop(key).dispose()
        cursor.close()
