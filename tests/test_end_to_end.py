"""One end-to-end materialisation of the whole asset graph into a temporary DuckDB, through the same job
the schedule runs; then the nightly properties: re-runs do not double, every front door agrees."""

import csv
import datetime as dt
import json

import dagster as dg
import pytest

from pipelines.cli import run_audit
from pipelines.defs.resources import AuditDatabase, AuditSettings
from pipelines.definitions import build_definitions
from pipelines.lib.rules import FINDING_COLUMNS, FINDINGS_CSV_EXTRA
from pipelines.lib.synthetic import generate

AS_OF = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    extracts = root / "extracts"
    generate(extracts, patients=150, seed=11, as_of=AS_OF)
    db = root / "audit.duckdb"
    out = root / "reports" / AS_OF.isoformat()
    status = run_audit(extracts, out=out, as_of=AS_OF, db=db, quiet=True)
    return root, extracts, db, out, status


def test_the_audit_runs_and_publishes_every_output(audited):
    _, _, _, out, status = audited
    assert status == 0
    for name in ("findings.csv", "summary.csv", "report.html", "quarantine.csv", "run.json", "worklist.xlsx",
                 "summary_shareable.csv", "report_shareable.html"):
        assert (out / name).is_file(), name
    assert (out.parent / "latest").resolve() == out.resolve()
    assert not list(out.parent.glob(".tmp-*"))


def test_findings_csv_has_the_contract_columns_in_order(audited):
    out = audited[3]
    with (out / "findings.csv").open(newline="") as handle:
        reader = csv.reader(handle)
        assert tuple(next(reader)) == FINDING_COLUMNS + FINDINGS_CSV_EXTRA
        assert sum(1 for _ in reader) > 0


def test_run_json_reconciles_and_records_every_parameter(audited):
    out = audited[3]
    info = json.loads((out / "run.json").read_text())
    assert info["as_of"] == AS_OF.isoformat()
    assert info["profile"]["name"] == "default"
    assert info["profile"]["parameters"]["maintenance_max_gap_days"] == 92
    for file, counts in info["inputs"].items():
        assert counts["rows_read"] == counts["rows_accepted"] + counts["rows_quarantined"], file
        assert len(counts["sha256"]) == 64 if counts["present"] else counts["sha256"] is None
    with (out / "quarantine.csv").open(newline="") as handle:
        quarantined = sum(1 for _ in csv.DictReader(handle))
    assert quarantined == sum(c["rows_quarantined"] for c in info["inputs"].values())
    assert sum(info["findings"]["by_rule"].values()) == info["findings"]["total"]
    assert {"read extracts", "rules", "report"} <= set(info["timings"])
    assert info["version"]


def test_a_rerun_of_the_same_night_gives_the_same_findings_and_does_not_double_history(audited):
    import duckdb

    root, extracts, db, out, _ = audited
    before = (out / "findings.csv").read_bytes()
    assert run_audit(extracts, out=out, as_of=AS_OF, db=db, quiet=True) == 0
    assert (out / "findings.csv").read_bytes() == before
    con = duckdb.connect(str(db), read_only=True)
    runs = con.execute("select count(*) from run_history where status = 'completed'").fetchone()[0]
    history = con.execute("select count(*) from findings_history").fetchone()[0]
    findings = con.execute("select count(*) from findings").fetchone()[0]
    con.close()
    assert runs == 1
    assert history == findings


def test_the_schedule_and_the_cli_produce_identical_findings(audited, tmp_path, monkeypatch):
    from pipelines.defs.schedules import nightly_audit_schedule

    _, extracts, _, out, _ = audited
    reports = tmp_path / "reports"
    monkeypatch.setenv("AZA_AUDIT_EXTRACTS", str(extracts))
    monkeypatch.setenv("AZA_AUDIT_REPORTS", str(reports))
    request = nightly_audit_schedule(dg.build_schedule_context(
        scheduled_execution_time=dt.datetime.combine(AS_OF, dt.time(2, 0))))
    defs = build_definitions(database=AuditDatabase(database=str(tmp_path / "scheduled.duckdb")),
                             settings=AuditSettings())
    result = defs.resolve_job_def("nightly_audit").execute_in_process(run_config=request.run_config)
    assert result.success
    scheduled = reports / AS_OF.isoformat()
    for name in ("findings.csv", "summary.csv", "quarantine.csv", "summary_shareable.csv"):
        assert (scheduled / name).read_bytes() == (out / name).read_bytes(), name


def test_a_failed_run_leaves_the_published_reports_untouched(audited, tmp_path):
    root, extracts, db, out, _ = audited
    before = (out / "findings.csv").read_bytes()
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("patients.csv", "labs.csv"):
        (broken / name).write_bytes((extracts / name).read_bytes())
    (broken / "prescriptions.csv").write_text("prescription_id,patient_id\n")
    assert run_audit(broken, out=out, as_of=AS_OF, db=db, quiet=True) == 2
    assert (out / "findings.csv").read_bytes() == before
    assert (out.parent / "latest").resolve() == out.resolve()


def test_logs_and_dagster_metadata_carry_no_patient_data(audited, tmp_path, capsys):
    from dagster._serdes import serialize_value

    _, extracts, _, _, _ = audited
    with (extracts / "patients.csv").open(newline="") as handle:
        patient_ids = {row["patient_id"] for row in csv.DictReader(handle) if row["patient_id"]}
    assert run_audit(extracts, out=tmp_path / "out", as_of=AS_OF, db=tmp_path / "db.duckdb") == 0
    terminal = capsys.readouterr()
    defs = build_definitions(database=AuditDatabase(database=str(tmp_path / "db2.duckdb")),
                             settings=AuditSettings(extracts_dir=str(extracts), as_of=AS_OF.isoformat(),
                                                    out_dir=str(tmp_path / "out2")))
    result = defs.resolve_job_def("nightly_audit").execute_in_process()
    assert result.success
    events = "\n".join(serialize_value(event) for event in result.all_events)
    for text in (terminal.out + terminal.err, events):
        leaked = [pid for pid in patient_ids if pid in text]
        assert not leaked, f"{len(leaked)} patient ids in logs or metadata"
