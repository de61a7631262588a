"""Dagster resources: the DuckDB database (dagster-duckdb's resource plus a run-level lock: one writer at a
time) and the run's settings. Defaults come from `pipelines.lib.settings`; a variable that is set reaches
the resource as `dg.EnvVar`, so the UI shows where a value came from."""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Iterator, Optional

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from pipelines.lib.settings import RunSettings, env, is_set


class DatabaseBusyError(RuntimeError):
    """Another audit run holds the database."""


def _from_env(name: str):
    """`dg.EnvVar(name)` when the variable is set (resolved at run time), else its default."""
    return dg.EnvVar(name) if is_set(name) else env(name)


class AuditDatabase(DuckDBResource):
    """The embedded DuckDB file. DuckDB allows one writing process per file, so a run takes an exclusive
    lock (`<database>.lock`) for its whole duration: a second run says it is waiting and for whom, waits up
    to `lock_timeout_seconds`, then fails with a clear message instead of colliding half-way through."""

    lock_timeout_seconds: int = 1800
    # DuckDB's working memory; beyond it, it spills to disk next to the database. A bounded working set
    # whatever the extract's size (AZA_AUDIT_DUCKDB_MEMORY, default 2GB).
    memory_limit: Optional[str] = env("AZA_AUDIT_DUCKDB_MEMORY")
    threads: Optional[int] = None

    _lock_handle: object = PrivateAttr(default=None)

    @classmethod
    def from_env(cls, **overrides) -> "AuditDatabase":
        values = {"database": _from_env("AZA_AUDIT_DB"), "memory_limit": _from_env("AZA_AUDIT_DUCKDB_MEMORY")}
        return cls(**(values | overrides))

    @property
    def path(self) -> str:
        return self.database

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._lock_handle = acquire_run_lock(Path(self.database), self.lock_timeout_seconds,
                                             log=context.log.info if context.log else None)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        release_run_lock(self._lock_handle)
        self._lock_handle = None

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        config = dict(self.connection_config)
        if self.memory_limit:
            config.setdefault("memory_limit", self.memory_limit)
        if self.threads:
            config.setdefault("threads", self.threads)
        con = duckdb.connect(self.database, config=config)
        try:
            con.execute("set enable_progress_bar = false")
            yield con
        finally:
            con.close()


def acquire_run_lock(db_path: Path, timeout_seconds: int, log=None):
    db_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(f"{db_path}.lock", "a+")
    deadline = time.monotonic() + timeout_seconds
    told = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            return handle
        except BlockingIOError:
            if not told:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                message = (f"waiting for {db_path}: another audit run (process {holder}) is using it; "
                           f"waiting up to {timeout_seconds} s")
                (log or print)(message)
                told = True
            if time.monotonic() >= deadline:
                handle.close()
                raise DatabaseBusyError(
                    f"another audit run is using {db_path} (lock {db_path}.lock); waited {timeout_seconds} s"
                ) from None
            time.sleep(1)


def release_run_lock(handle) -> None:
    if handle is not None:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


class AuditSettings(dg.ConfigurableResource):
    """What to audit: the extract directory, the as-of date (empty: today), profile, output folder."""

    extracts_dir: str = env("AZA_AUDIT_EXTRACTS")
    as_of: str = ""
    profile: str = env("AZA_AUDIT_PROFILE")
    out_dir: str = ""
    reports_dir: str = env("AZA_AUDIT_REPORTS")
    reviews_dir: str = env("AZA_AUDIT_REVIEWS")
    format: str = ""
    registry_name: str = env("AZA_AUDIT_REGISTRY_NAME")

    @classmethod
    def from_env(cls, **overrides) -> "AuditSettings":
        values = {"extracts_dir": _from_env("AZA_AUDIT_EXTRACTS"), "profile": _from_env("AZA_AUDIT_PROFILE"),
                  "reports_dir": _from_env("AZA_AUDIT_REPORTS"), "reviews_dir": _from_env("AZA_AUDIT_REVIEWS"),
                  "registry_name": _from_env("AZA_AUDIT_REGISTRY_NAME")}
        return cls(**(values | overrides))

    def as_of_date(self) -> date:
        return date.fromisoformat(self.as_of) if self.as_of else date.today()

    def run_settings(self, db_path: str) -> RunSettings:
        return RunSettings(
            extracts_dir=Path(self.extracts_dir),
            as_of=self.as_of_date(),
            profile=self.profile,
            out_dir=Path(self.out_dir) if self.out_dir else None,
            db_path=Path(db_path),
            format=self.format or None,
            registry_name=self.registry_name,
            reports_dir=Path(self.reports_dir),
            reviews_dir=Path(self.reviews_dir),
        )


def run_context(context, database: AuditDatabase, settings: AuditSettings):
    """The `RunContext` of the Dagster run this step belongs to (the same in every step of a run)."""
    import datetime as dt

    from pipelines.lib.audit import RunContext

    op = getattr(context, "op_execution_context", context)  # asset checks wrap an op context
    stats = op.instance.get_run_stats(op.run_id) if op.instance else None
    started = dt.datetime.fromtimestamp(stats.start_time).replace(microsecond=0) \
        if stats and stats.start_time else None
    return RunContext.create(settings.run_settings(database.path), run_id=op.run_id, started_at=started)
