"""The audit as plain function calls, stage by stage: what each Dagster asset runs, and what the spec
tests run in one go (`run_audit_in`) without Dagster."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from .measures import build_measures
from .normalise import normalise
from .profiles import Profile, load_profile
from .rules import build_episodes, run_rules
from .staging import FileCounts, load_raw_extracts, reconcile, stage


class ReconciliationError(RuntimeError):
    """Rows read != rows accepted + rows quarantined for some file: something was lost."""


def sql_params(profile: Profile, as_of: date) -> dict[str, Any]:
    return {**profile.sql_params(), "as_of": as_of}


def ingest(con, extracts_dir: Path, as_of: date, progress=None) -> list[FileCounts]:
    loads = load_raw_extracts(con, extracts_dir, progress=progress)
    counts = stage(con, loads, as_of)
    broken = reconcile(counts)
    if broken:
        raise ReconciliationError(f"row counts do not reconcile for: {', '.join(broken)}")
    return counts


def events_present(con) -> bool:
    return bool(con.execute("select present from file_counts where file = 'events'").fetchone()[0])


def available_inputs(con) -> set[str]:
    return {"events"} if events_present(con) else set()


def run_audit_in(con, extracts_dir: Path, as_of: date, profile: str | Profile = "default",
                 only: set[str] | None = None) -> list[dict]:
    """Ingest, normalise, episodes and rules into an open DuckDB connection; returns the rule catalogue."""
    profile = load_profile(profile) if isinstance(profile, str) else profile
    params = sql_params(profile, as_of)
    ingest(con, extracts_dir, as_of)
    normalise(con, params)
    build_episodes(con, profile, params)
    catalogue = run_rules(con, params, available_inputs(con), only=only)
    build_measures(con, params)
    return catalogue
