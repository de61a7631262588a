"""`make bench`: generate a synthetic registry and time every stage of the audit on it.

Prints, per stage, rows, seconds and the peak resident memory of the process during that stage (sampled
from /proc every 20 ms). Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _PeakSampler:
    def __init__(self):
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_mb())
            time.sleep(0.02)

    def __enter__(self):
        self.peak = _rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


ROWS: list[tuple[str, str, float, float]] = []


@contextmanager
def stage(name: str, rows=None):
    started = time.perf_counter()
    holder = {"rows": rows}
    with _PeakSampler() as sampler:
        yield holder
    seconds = time.perf_counter() - started
    ROWS.append((name, "" if holder["rows"] is None else f"{holder['rows']:,}", seconds, sampler.peak))
    print(f"{name:<42} {ROWS[-1][1]:>12} {seconds:9.2f} s {sampler.peak:9.0f} MB", flush=True)


def main(argv=None) -> int:
    import duckdb

    from pipelines.lib import audit
    from pipelines.lib.settings import RunSettings
    from pipelines.lib.staging import STAGING_ORDER
    from pipelines.lib.synthetic import generate

    parser = argparse.ArgumentParser(prog="aza-audit-bench", description="Time every stage of the audit on a "
                                     "synthetic registry (the production stage functions of pipelines.lib.audit).")
    parser.add_argument("--patients", type=int, default=100_000, help="patients in the synthetic registry")
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temporary folder, removed after")
    parser.add_argument("--memory-limit", default="2GB", help="DuckDB memory_limit for the run (default 2GB)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the synthetic extract already in --workdir instead of generating it")
    args = parser.parse_args(argv)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="aza-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    extracts, db_path = workdir / "extracts", workdir / "bench.duckdb"
    as_of = dt.date.today()
    ctx = audit.RunContext.create(RunSettings(extracts_dir=extracts, as_of=as_of, db_path=db_path,
                                              out_dir=workdir / "reports" / as_of.isoformat(),
                                              registry_name="Benchmark registry"),
                                  run_id=f"bench-{int(time.time())}")
    print(f"aza-audit benchmark: {args.patients:,} patients, as of {as_of}, DuckDB memory_limit {args.memory_limit}")
    print(f"{'stage':<42} {'rows':>12} {'seconds':>11} {'peak RSS':>12}")
    total_started = time.perf_counter()

    def count(con, table: str) -> int:
        return con.execute(f'select count(*) from "{table}"').fetchone()[0]  # table names are constants

    try:
        if args.reuse and (extracts / "patients.csv").is_file():
            print("(reusing the synthetic extract in the work folder)")
        else:
            with stage("generate synthetic registry") as s:
                manifest = generate(extracts, patients=args.patients, as_of=as_of)
                s["rows"] = sum(v for k, v in manifest.get("rows", {}).items() if k != "scenarios")
        if db_path.exists():
            db_path.unlink()
        con = duckdb.connect(str(db_path), config={"memory_limit": args.memory_limit})
        con.execute("set enable_progress_bar = false")
        with stage("ingest (read, type, quarantine)") as s:
            counts = audit.ingest(con, ctx)
            s["rows"] = sum(c.rows_read for c in counts)
        for name in STAGING_ORDER:
            with stage(f"expectations: {name}") as s:
                audit.validate(con, ctx, name)
                s["rows"] = count(con, f"stg_{name}")
        with stage("normalise") as s:
            audit.normalise(con, ctx)
            s["rows"] = count(con, "lab_results")
        with stage("episodes") as s:
            audit.episodes(con, ctx)
            s["rows"] = count(con, "episodes")
        with stage("rules (all)") as s:
            catalogue = audit.rules(con, ctx)
            s["rows"] = count(con, "findings")
        for row in catalogue:
            if row["evaluated"]:
                print(f"  {row['rule_id']:<40} {row['findings']:>12,} {row['seconds']:9.2f} s")
        with stage("measures") as s:
            audit.measures(con, ctx)
            s["rows"] = count(con, "monitoring_compliance")
        with stage("report and outputs") as s:
            audit.publish(con, ctx)
            s["rows"] = count(con, "findings")
        timings = dict(con.execute("select stage, seconds from run_timings").fetchall())
        print(f"  of ingest: read {timings.get('read extracts', 0):.2f} s, "
              f"type and quarantine {timings.get('stage and quarantine', 0):.2f} s")
        con.close()
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"{'total':<42} {'':>12} {time.perf_counter() - total_started:9.2f} s "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:9.0f} MB (process peak)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
