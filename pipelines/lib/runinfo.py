"""Small run bookkeeping tables written stage by stage and read when the run's outputs are written:
`run_meta(key, value)` and `run_timings(stage, seconds)`. Counts and names only, never patient data."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from typing import Any

from .sql import query_sql, run_sql


def reset(con) -> None:
    run_sql(con, "run/00_reset.sql")


def set_meta(con, key: str, value: Any) -> None:
    run_sql(con, "run/set_meta.sql", {"key": key, "value": json.dumps(value, default=str)})


def all_meta(con) -> dict[str, Any]:
    return {k: json.loads(v) for k, v in query_sql(con, "run/meta.sql").fetchall()}


def timings(con) -> dict[str, float]:
    return dict(query_sql(con, "run/timings.sql").fetchall())


@contextmanager
def timed(con, stage: str):
    """Record how long a stage took, in run_timings."""
    started = time.perf_counter()
    yield
    run_sql(con, "run/record_timing.sql", {"stage": stage, "seconds": round(time.perf_counter() - started, 3)})
