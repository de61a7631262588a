"""Text from the data, made safe for a spreadsheet: a cell that Excel or LibreOffice would read as a
formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading apostrophe, as
OWASP advises against CSV injection. The CSVs DuckDB writes use the same rule (sql/report/00_csv_safe.sql)."""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """`value` unchanged unless it is text a spreadsheet would evaluate; then `'` + value."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
