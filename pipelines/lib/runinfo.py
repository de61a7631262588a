"""Small run bookkeeping tables written stage by stage and read when the run's outputs are written:
`run_meta(key, value)` and `run_timings(stage, seconds)`. Counts and names only, never patient data."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from typing import Any


def reset(con) -> None:
    con.execute("create or replace table run_meta (key varchar primary key, value varchar)")
    con.execute("create or replace table run_timings (stage varchar primary key, seconds double)")


def set_meta(con, key: str, value: Any) -> None:
    con.execute("insert or replace into run_meta values ($key, $value)",
                {"key": key, "value": json.dumps(value, default=str)})


def all_meta(con) -> dict[str, Any]:
    return {k: json.loads(v) for k, v in con.execute("select key, value from run_meta").fetchall()}


def timings(con) -> dict[str, float]:
    return dict(con.execute("select stage, seconds from run_timings").fetchall())


@contextmanager
def timed(con, stage: str):
    """Record how long a stage took, in run_timings."""
    started = time.perf_counter()
    yield
    con.execute("insert or replace into run_timings values ($stage, $seconds)",
                {"stage": stage, "seconds": round(time.perf_counter() - started, 3)})
