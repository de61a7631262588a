"""Load SQL files from `sql/` and run them with bound, named parameters.

No SQL is ever assembled from user data: files are read as they are, and values are bound by DuckDB.
A file names its parameters as `$name`; only the names a file uses are bound, so one parameter dict
(the profile plus the run's settings) serves every file.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from .paths import SQL_DIR

_PARAM = re.compile(r"(?<![\w$])\$([A-Za-z_][A-Za-z0-9_]*)")
_LINE_COMMENT = re.compile(r"--[^\n]*")
_STRING = re.compile(r"'(?:[^']|'')*'")


@lru_cache(maxsize=None)
def load_sql(relpath: str) -> str:
    """The text of `sql/<relpath>`."""
    path = SQL_DIR / relpath
    if not path.is_file():
        raise FileNotFoundError(f"no SQL file sql/{relpath}")
    return path.read_text(encoding="utf-8")


def parameter_names(sql: str) -> list[str]:
    """The `$names` a statement uses, outside comments and string literals, in first-use order."""
    code = _STRING.sub("''", _LINE_COMMENT.sub("", sql))
    return list(dict.fromkeys(_PARAM.findall(code)))


def bind(sql: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The subset of `params` that `sql` uses; a missing one is an error naming it."""
    names = parameter_names(sql)
    missing = [name for name in names if name not in params]
    if missing:
        raise KeyError(f"SQL parameter(s) not provided: {', '.join(missing)}")
    return {name: params[name] for name in names}


_STRING_OR_COMMENT = re.compile(r"('(?:[^']|'')*')|--[^\n]*")


def strip_comments(sql: str) -> str:
    """The SQL without its `--` comments (string literals untouched)."""
    return _STRING_OR_COMMENT.sub(lambda m: m.group(1) or "", sql)


def split_statements(sql: str) -> list[str]:
    """Split a file into statements on `;` at the end of a line, comments removed first (so a `;` in a
    comment splits nothing)."""
    return [part.strip() for part in re.split(r";\s*(?:\n|$)", strip_comments(sql)) if part.strip()]


def run_sql(con, relpath: str, params: Mapping[str, Any] | None = None):
    """Run every statement of `sql/<relpath>`; returns the connection's last result."""
    result = None
    for statement in split_statements(load_sql(relpath)):
        result = con.execute(statement, bind(statement, params or {}))
    return result


def query_sql(con, relpath: str, params: Mapping[str, Any] | None = None):
    """Run a one-statement file and return the DuckDB relation result (call .fetchall() / .df())."""
    text = load_sql(relpath)
    return con.execute(text, bind(text, params or {}))


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
