"""`make bench`: generate synthetic registries and time every stage of the audit on them.

At each size (default 20,000 and 100,000 patients: `PATIENTS=1000000 make bench` for one size), prints per
stage the rows, seconds and the peak resident memory of the process and its children (the worklist.xlsx
worker) during that stage (sampled from /proc every 20 ms); then the floor, bare DuckDB reading the same four
files into tables (`read_csv`, every column as text) in the same process, and the ratio of the whole audit
(ingest to published outputs) to that floor. A last table puts the sizes side by side so the growth of each
stage is visible. Not a test: nothing here asserts a time.
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


def _status_rss_mb(pid: str) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:  # the process has ended
        pass
    return 0.0


def _children() -> list[str]:
    """The pids of this process's children (the worklist.xlsx worker), from /proc."""
    pids: list[str] = []
    try:
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/children") as children:
                pids += children.read().split()
    except OSError:
        pass
    return pids


def _rss_mb() -> float:
    """Resident memory of this process and its children (a worker process counts towards the peak)."""
    if not os.path.exists("/proc/self/status"):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return _status_rss_mb("self") + sum(_status_rss_mb(pid) for pid in _children())


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
AUDIT_STAGES = ("ingest", "expectations", "normalise", "episodes", "rules", "reviews", "measures", "report")


@contextmanager
def stage(name: str, rows=None):
    started = time.perf_counter()
    holder = {"rows": rows}
    with _PeakSampler() as sampler:
        yield holder
    seconds = time.perf_counter() - started
    ROWS.append((name, "" if holder["rows"] is None else f"{holder['rows']:,}", seconds, sampler.peak))
    print(f"{name:<42} {ROWS[-1][1]:>12} {seconds:9.2f} s {sampler.peak:9.0f} MB", flush=True)


def floor_seconds(extracts: Path, memory_limit: str) -> tuple[float, float, int]:
    """Bare DuckDB reading the four extract files into tables, every column as text: seconds, peak MB, rows."""
    import duckdb

    with tempfile.TemporaryDirectory(prefix="aza-floor-", dir=extracts.parent) as tmp:
        con = duckdb.connect(str(Path(tmp) / "floor.duckdb"), config={"memory_limit": memory_limit})
        con.execute("set enable_progress_bar = false")
        started = time.perf_counter()
        rows = 0
        with _PeakSampler() as sampler:
            for name in ("patients", "prescriptions", "labs", "events"):
                path = extracts / f"{name}.csv"
                if path.is_file():
                    con.execute(f"create table {name} as select * from read_csv($p, all_varchar = true, "
                                "header = true)", {"p": str(path)})  # name: one of four constants
                    rows += con.execute(f"select count(*) from {name}").fetchone()[0]
        seconds = time.perf_counter() - started
        con.close()
    return seconds, sampler.peak, rows


def run_size(patients: int, workdir: Path, memory_limit: str, reuse: bool) -> dict:
    """Generate (or reuse) a registry of `patients` and time the audit's stage functions on it."""
    import duckdb

    from pipelines.lib import audit
    from pipelines.lib.settings import RunSettings
    from pipelines.lib.staging import STAGING_ORDER
    from pipelines.lib.synthetic import generate

    workdir.mkdir(parents=True, exist_ok=True)
    extracts, db_path = workdir / "extracts", workdir / "bench.duckdb"
    as_of = dt.date.today()
    ctx = audit.RunContext.create(RunSettings(extracts_dir=extracts, as_of=as_of, db_path=db_path,
                                              out_dir=workdir / "reports" / as_of.isoformat(),
                                              registry_name="Benchmark registry", reviews_dir=None),
                                  run_id=f"bench-{int(time.time())}")
    print(f"\n== {patients:,} patients, as of {as_of}, DuckDB memory_limit {memory_limit}")
    print(f"{'stage':<42} {'rows':>12} {'seconds':>11} {'peak RSS':>12}")
    first = len(ROWS)

    def count(con, table: str) -> int:
        return con.execute(f'select count(*) from "{table}"').fetchone()[0]  # table names are constants

    if reuse and (extracts / "patients.csv").is_file():
        print("(reusing the synthetic extract in the work folder)")
    else:
        with stage("generate synthetic registry") as s:
            manifest = generate(extracts, patients=patients, as_of=as_of)
            s["rows"] = sum(v for k, v in manifest.get("rows", {}).items() if k != "scenarios")
    if db_path.exists():
        db_path.unlink()
    floor, floor_peak, floor_rows = floor_seconds(extracts, memory_limit)
    print(f"{'floor: DuckDB read_csv of the four files':<42} {floor_rows:>12,} {floor:9.2f} s {floor_peak:9.0f} MB")
    con = duckdb.connect(str(db_path), config={"memory_limit": memory_limit})
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
    with stage("reviews") as s:
        audit.reviews(con, ctx, checks=False)
        s["rows"] = count(con, "review_status")
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
    rows = [r for r in ROWS[first:] if not r[0].startswith("generate")]
    total = sum(r[2] for r in rows)
    peak = max([r[3] for r in rows] + [floor_peak])
    ratio = total / floor if floor else float("nan")
    print(f"{'audit (ingest to published outputs)':<42} {'':>12} {total:9.2f} s {peak:9.0f} MB")
    print(f"{'ratio audit / floor':<42} {'':>12} {ratio:9.2f}x")
    return {"patients": patients, "floor": floor, "audit": total, "ratio": ratio, "peak": peak,
            "stages": {r[0]: r[2] for r in rows}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="aza-audit-bench", description="Time every stage of the audit on "
                                     "synthetic registries (the production stage functions of pipelines.lib.audit), "
                                     "against the floor of DuckDB reading the same files.")
    parser.add_argument("--patients", default="20000,100000",
                        help="patients in each synthetic registry, comma-separated (default 20000,100000)")
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temporary folder, removed after")
    parser.add_argument("--memory-limit", default="2GB", help="DuckDB memory_limit for the run (default 2GB)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the synthetic extract already in --workdir instead of generating it")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s.replace("_", "")) for s in str(args.patients).split(",") if s.strip()]
    except ValueError:
        parser.error(f"--patients: not a comma-separated list of numbers: {args.patients!r}")
    root = args.workdir or Path(tempfile.mkdtemp(prefix="aza-bench-"))
    results = []
    total_started = time.perf_counter()
    try:
        for n in sizes:
            results.append(run_size(n, root / f"p{n}", args.memory_limit, args.reuse))
            if args.workdir is None:
                shutil.rmtree(root / f"p{n}", ignore_errors=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(root, ignore_errors=True)
    if len(results) > 1:
        print("\n== growth with the input")
        names = list(results[0]["stages"])
        print(f"{'stage':<42}" + "".join(f"{r['patients']:>14,}" for r in results))
        for name in names:
            print(f"{name:<42}" + "".join(f"{r['stages'].get(name, 0):13.2f}s" for r in results))
        for label, key, fmt in (("floor", "floor", "{:13.2f}s"), ("audit", "audit", "{:13.2f}s"),
                                ("ratio audit / floor", "ratio", "{:13.2f}x"), ("peak RSS MB", "peak", "{:14.0f}")):
            print(f"{label:<42}" + "".join(fmt.format(r[key]) for r in results))
    print(f"\n{'total':<42} {time.perf_counter() - total_started:9.2f} s "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:9.0f} MB (process peak)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
