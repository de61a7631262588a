"""Dagster resources: the DuckDB database (one writer at a time) and the run's settings."""

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
from pydantic import PrivateAttr

from pipelines.lib.settings import DEFAULT_REPORTS, RunSettings, default_db_path


class DatabaseBusyError(RuntimeError):
    """Another audit run holds the database."""


class AuditDatabase(dg.ConfigurableResource):
    """The embedded DuckDB file. DuckDB allows one writing process per file, so a run takes an exclusive
    lock (`<path>.lock`) for its whole duration: a second run waits up to `lock_timeout_seconds`, then
    fails with a clear message instead of colliding half-way through."""

    path: str = default_db_path()
    lock_timeout_seconds: int = 1800
    # DuckDB's working memory; beyond it, it spills to disk next to the database. A bounded working set
    # whatever the extract's size (AZA_AUDIT_DUCKDB_MEMORY, default 2GB).
    memory_limit: Optional[str] = os.environ.get("AZA_AUDIT_DUCKDB_MEMORY", "2GB")
    threads: Optional[int] = None

    _lock_handle: object = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._lock_handle = acquire_run_lock(Path(self.path), self.lock_timeout_seconds)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        release_run_lock(self._lock_handle)
        self._lock_handle = None

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        config = {}
        if self.memory_limit:
            config["memory_limit"] = self.memory_limit
        if self.threads:
            config["threads"] = self.threads
        con = duckdb.connect(self.path, config=config)
        con.execute("set enable_progress_bar = false")
        try:
            yield con
        finally:
            con.close()


def acquire_run_lock(db_path: Path, timeout_seconds: int):
    db_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(f"{db_path}.lock", "a+")
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            return handle
        except BlockingIOError:
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

    extracts_dir: str = os.environ.get("AZA_AUDIT_EXTRACTS", "data/extracts")
    as_of: str = ""
    profile: str = os.environ.get("AZA_AUDIT_PROFILE", "default")
    out_dir: str = ""
    reports_dir: str = os.environ.get("AZA_AUDIT_REPORTS", DEFAULT_REPORTS)
    format: str = ""
    registry_name: str = os.environ.get("AZA_AUDIT_REGISTRY_NAME", "MS registry")

    def as_of_date(self) -> date:
        return date.fromisoformat(self.as_of) if self.as_of else date.today()

    def run_settings(self, db_path: str) -> RunSettings:
        as_of = self.as_of_date()
        return RunSettings(
            extracts_dir=Path(self.extracts_dir),
            as_of=as_of,
            profile=self.profile,
            out_dir=Path(self.out_dir) if self.out_dir else Path(self.reports_dir) / as_of.isoformat(),
            db_path=Path(db_path),
            format=self.format or None,
            registry_name=self.registry_name,
        )
