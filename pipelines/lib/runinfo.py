"""Small run bookkeeping tables written stage by stage and read when the run's outputs are written:
`run_meta(key, value)` and `run_timings(stage, seconds)`. Counts and names only, never patient data."""

from __future__ import annotations

import datetime as dt
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Any, Mapping

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


@dataclass(frozen=True)
class RunInfo:
    """What the outputs know of a run (the typed form of run.json, which is its serialisation at the edge):
    every report, the worklist, the spreadsheet and the digest read this, never a dict of keys."""

    as_of: dt.date
    profile: Mapping[str, Any]  # Profile.as_dict(): name, parameters, induction_windows, monitored_tests, ...
    run_id: str = ""
    registry_name: str = "MS registry"
    version: str = ""
    codelist_version: str = ""
    inputs: Mapping[str, Any] = field(default_factory=dict)  # per file: present, format, sha256, counts
    timings: Mapping[str, float] = field(default_factory=dict)
    events_present: bool | None = None
    data_docs: str | None = None  # relative to the output folder, or absolute (linked relatively)
    previous_run_id: str | None = None  # else found in run_history
    final_out_dir: str | None = None  # where the output folder will be published
    generated_at: str | None = None
    mapping: Mapping[str, Any] | None = None  # the source format's mapping report
    warnings: tuple[Mapping[str, Any], ...] = ()

    @property
    def params(self) -> dict[str, Any]:
        """The profile's parameters."""
        return dict(self.profile.get("parameters") or {})

    @property
    def profile_name(self) -> str:
        return str(self.profile.get("name", ""))

    @classmethod
    def of(cls, info: "RunInfo | Mapping[str, Any]") -> "RunInfo":
        """A RunInfo from itself or from run.json's dict (unknown keys, e.g. counts and outputs, are left out)."""
        if isinstance(info, RunInfo):
            return info
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in info.items() if k in names and v is not None}
        values["as_of"] = as_date(info["as_of"])
        values["profile"] = info.get("profile") or {}
        values["warnings"] = tuple(info.get("warnings") or ())
        values["registry_name"] = info.get("registry_name") or "MS registry"
        return cls(**values)


def as_date(value: Any) -> dt.date:
    """A date from a date, a datetime or an ISO string (run.json holds strings)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
