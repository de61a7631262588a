"""Load SQL files from `sql/` and run them with bound, named parameters.

No SQL is ever assembled from user data: files are read as they are, and values are bound by DuckDB.
A file names its parameters as `$name`; only the names a file uses are bound, so one parameter dict
(the profile plus the run's settings) serves every file.
"""

from __future__ import annotations

import re
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import duckdb

from .paths import SQL_DIR
from .settings import env


@lru_cache(maxsize=None)
def load_sql(relpath: str) -> str:
    """The text of `sql/<relpath>`."""
    path = SQL_DIR / relpath
    if not path.is_file():
        raise FileNotFoundError(f"no SQL file sql/{relpath}")
    return path.read_text(encoding="utf-8")


def statements(sql: str) -> list:
    """The statements of a text, as DuckDB's own parser splits them (`duckdb.extract_statements`): a `;`
    inside a string or a comment splits nothing."""
    return duckdb.extract_statements(sql)


def parameter_names(sql: str) -> list[str]:
    """The `$names` the statements of a text use, as DuckDB's parser finds them, sorted."""
    return sorted({name for statement in statements(sql) for name in statement.named_parameters})


def bind(sql: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The subset of `params` that `sql` uses; a missing one is an error naming it."""
    return _bound(parameter_names(sql), params)


def _bound(names, params: Mapping[str, Any] | None) -> dict[str, Any]:
    params = params or {}
    missing = sorted(name for name in names if name not in params)
    if missing:
        raise KeyError(f"SQL parameter(s) not provided: {', '.join(missing)}")
    return {name: params[name] for name in names}


def split_statements(sql: str) -> list[str]:
    """The text of each statement of a file (DuckDB's parser; comments kept, they are harmless)."""
    return [statement.query.strip() for statement in statements(sql)]


def numeric_literals(sql: str) -> list[str]:
    """The numeric constants of a text, as DuckDB's tokenizer sees them (not in comments, strings or
    identifiers): the check that a rule carries no clinical number as a literal."""
    tokens = duckdb.tokenize(sql)
    found = []
    for index, (start, kind) in enumerate(tokens):
        if kind == duckdb.token_type.numeric_const:
            end = tokens[index + 1][0] if index + 1 < len(tokens) else len(sql)
            found.append(sql[start:end].strip())
    return found


# `AZA_AUDIT_SQL_TIMINGS=1`: every statement run_sql runs prints its file, number and seconds to stderr
# (a profile of the stages for `make bench`; names of code files only, never a value).
_TIMINGS = env("AZA_AUDIT_SQL_TIMINGS") not in ("", "0")


def run_sql(con, relpath: str, params: Mapping[str, Any] | None = None):
    """Run every statement of `sql/<relpath>`; returns the connection's last result."""
    result = None
    for number, (query, names) in enumerate(_file_statements(relpath), start=1):
        started = time.perf_counter() if _TIMINGS else 0.0
        result = con.execute(query, _bound(names, params))
        if _TIMINGS:
            print(f"sql {relpath} #{number}: {time.perf_counter() - started:.2f} s", file=sys.stderr, flush=True)
    return result


@lru_cache(maxsize=None)
def _file_statements(relpath: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """A file's statements and the parameters each names, parsed once per process."""
    return tuple((s.query, frozenset(s.named_parameters)) for s in statements(load_sql(relpath)))


def query_sql(con, relpath: str, params: Mapping[str, Any] | None = None):
    """Run a one-statement file and return the DuckDB relation result (call .fetchall() / .df())."""
    text = load_sql(relpath)
    return con.execute(text, bind(text, params or {}))


def relation(con, relpath: str, params: Mapping[str, Any] | None = None):
    """A one-statement file as a DuckDB relation (`.to_arrow_reader(n)` streams it in batches of n rows)."""
    text = load_sql(relpath)
    return con.sql(text, params=bind(text, params or {}))


def scalar(con, relpath: str, params: Mapping[str, Any] | None = None) -> Any:
    """The one value of a one-statement file (a count, a flag); None when it returns no row."""
    rows = query_sql(con, relpath, params).fetchall()
    return rows[0][0] if rows else None


def records(con, relpath: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """The rows of a one-statement file as dicts (small results: catalogues, counts)."""
    cursor = query_sql(con, relpath, params)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def run_many(con, relpath: str, rows: list[Mapping[str, Any]]) -> None:
    """Run a one-statement file once per row of named parameters (inserts of small lists)."""
    if not rows:
        return
    text = load_sql(relpath)
    names = parameter_names(text)
    con.executemany(text, [_bound(names, row) for row in rows])


def sql_files(subdir: str) -> list[Path]:
    """The `.sql` files of `sql/<subdir>`, sorted by name."""
    return sorted((SQL_DIR / subdir).glob("*.sql"))


def header(sql: str) -> dict[str, str]:
    """The `-- key: value` lines at the top of a file (continuation lines start with `--   `)."""
    fields: dict[str, str] = {}
    last = None
    for line in sql.splitlines():
        if not line.startswith("--"):
            if line.strip():
                break
            continue
        body = line[2:]
        match = re.match(r"\s?([a-z_ ]+):\s*(.*)$", body)
        if match and not body.startswith("   "):
            last = match.group(1).strip()
            fields[last] = match.group(2).strip()
        elif last and body.strip():
            fields[last] = f"{fields[last]} {body.strip()}"
    return fields


def table_exists(con, name: str) -> bool:
    """Whether the connection's database has a table (or view) of this name, any case."""
    return bool(scalar(con, "table_exists.sql", {"name": name}))


def drop_relation(con, name: str) -> None:
    """Drop every table or view of this name, whichever it is (a table of an earlier version may be a view
    now), the connection's temporary one and the database's. `name` comes from code, never from data."""
    for catalog, schema, kind in query_sql(con, "object_kind.sql", {"name": name}).fetchall():
        what = "view" if kind == "VIEW" else "table"
        con.execute(f"drop {what} {quote_ident(catalog)}.{quote_ident(schema)}.{quote_ident(name)}")


def quote_ident(name: str) -> str:
    """A name as a quoted DuckDB identifier (for names from code or the catalogue, never from data)."""
    return '"' + name.replace('"', '""') + '"'
