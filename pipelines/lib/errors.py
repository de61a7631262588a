"""Error text for people: the first meaningful line of an exception (DuckDB appends the statement and a
line of carets; Python chains causes), without the framework's noise."""

from __future__ import annotations


def first_line(exc: BaseException) -> str:
    """`Type: first meaningful line` of the exception (its own text, not the statement DuckDB echoes)."""
    return first_line_of_text(str(exc), type(exc).__name__)


def first_line_of_text(message: str, type_name: str) -> str:
    for line in (message or "").splitlines():
        text = line.strip()
        if text.startswith(("Traceback", "File ", "The above exception")) or not text:
            continue
        if set(text) <= set("^ ~") or text.startswith("LINE "):
            continue
        text = text.split(": ", 1)[1] if text.startswith(f"{type_name}: ") and "Error" in type_name else text
        head = text.split(":", 1)[0]
        return text if "Error" in head or "Exception" in head else f"{type_name}: {text}"
    return type_name
