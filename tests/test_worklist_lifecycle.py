"""From night to night (RULES.md "Acting on findings"): a due-soon test that becomes overdue is one item that
escalated, not one resolved and one new; a finding that leaves is resolved with the first reason that holds
(died, treatment stopped, test done, data changed). Inline patients, three nights through the CLI on one
database."""

import csv
import datetime as dt
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent / "spec"))
from harness import _write, bloods, patient, rx, tpmt, weight  # noqa: E402

from pipelines.cli import run_audit  # noqa: E402

START = dt.date(2025, 1, 1)
LAST_TEST = dt.date(2025, 9, 1)  # the last bloods of every patient
NIGHT1 = LAST_TEST + dt.timedelta(days=85)  # 78 < 85 <= 92: due soon
NIGHT2 = LAST_TEST + dt.timedelta(days=95)  # 95 > 92: overdue
NIGHT3 = NIGHT2 + dt.timedelta(days=2)


def _day(d: dt.date) -> str:
    return d.isoformat()


def _patient_rows(pid: str, until: dt.date):
    prescriptions = [rx(f"{pid}-R{i}", pid, _day(START + dt.timedelta(days=28 * i)))
                     for i in range((until - START).days // 28 + 2)]
    induction = [START + dt.timedelta(days=d) for d in (0, 7, 14, 21)]
    maintenance = [START + dt.timedelta(days=28 + 60 * k) for k in range(4)] + [LAST_TEST]
    labs = [tpmt(pid, _day(START - dt.timedelta(days=20))), weight(pid, _day(START - dt.timedelta(days=5)), 70)]
    labs += bloods(pid, *[_day(d) for d in induction + maintenance])
    return prescriptions, labs


def _extract(folder: Path, until: dt.date, *, died: dict | None = None, extra_labs=(), stopped=()):
    folder.mkdir(parents=True, exist_ok=True)
    patients, prescriptions, labs = [], [], []
    for pid in ("P1", "P2", "P3"):
        patients.append(patient(pid, death_date=(died or {}).get(pid)))
        p_rx, p_labs = _patient_rows(pid, until)
        if pid in stopped:  # the last prescriptions were never issued: the episode ended
            p_rx = [r for r in p_rx if r["start_date"] <= _day(LAST_TEST - dt.timedelta(days=60))]
        prescriptions += p_rx
        labs += p_labs
    labs += list(extra_labs)
    _write(folder, "patients", patients)
    _write(folder, "prescriptions", prescriptions)
    _write(folder, "labs", labs)
    return folder


def _findings(out: Path):
    with open(out / "findings.csv", newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["rule_id"].startswith("MONITORING_")]


def test_escalation_and_resolution_from_night_to_night(tmp_path):
    db = tmp_path / "audit.duckdb"
    run = lambda extracts, as_of, name: run_audit(extracts, out=tmp_path / name, as_of=as_of, db=db,  # noqa: E731
                                                 quiet=True, reviews=tmp_path / "reviews")
    # night 1: every patient's CBC and LFT are due soon
    assert run(_extract(tmp_path / "x1", NIGHT1), NIGHT1, "n1") == 0
    night1 = _findings(tmp_path / "n1")
    assert {(f["patient_id"], f["rule_id"]) for f in night1} == {
        (p, "MONITORING_DUE_SOON") for p in ("P1", "P2", "P3")}
    # night 2: P1 overdue (escalated); P2 died; P3's treatment stopped
    extracts = _extract(tmp_path / "x2", NIGHT2, died={"P2": _day(NIGHT2 - dt.timedelta(days=1))}, stopped={"P3"})
    assert run(extracts, NIGHT2, "n2") == 0
    night2 = _findings(tmp_path / "n2")
    assert {(f["patient_id"], f["rule_id"], f["test"]) for f in night2 if f["current"] == "true"} == {
        ("P1", "MONITORING_OVERDUE", "CBC"), ("P1", "MONITORING_OVERDUE", "LFT")}
    con = duckdb.connect(str(db), read_only=True)
    try:
        states = con.execute("select f.test, t.state, t.days_open from finding_tracking t join findings f "
                             "using (finding_id) where t.current order by f.test").fetchall()
        resolved = con.execute("select patient_id, test, reason from worklist_resolved order by all").fetchall()
    finally:
        con.close()
    # one item that got worse: escalated, open since night 1, and not "resolved" as a due-soon
    assert states == [("CBC", "escalated", 10), ("LFT", "escalated", 10)]
    assert resolved == [("P2", "CBC", "died"), ("P2", "LFT", "died"),
                        ("P3", "CBC", "treatment stopped"), ("P3", "LFT", "treatment stopped")]
    html = (tmp_path / "n2" / "worklist.html").read_text(encoding="utf-8")
    assert "escalated" in html and "Resolved since the previous run (4)" in html
    # night 3: P1's full blood count is done; the liver tests are still overdue, now persisting
    extracts = _extract(tmp_path / "x3", NIGHT3, died={"P2": _day(NIGHT2 - dt.timedelta(days=1))}, stopped={"P3"},
                        extra_labs=bloods("P1", _day(NIGHT3 - dt.timedelta(days=1)))[:1])
    assert run(extracts, NIGHT3, "n3") == 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        states = con.execute("select f.test, t.state from finding_tracking t join findings f using (finding_id) "
                             "where t.current order by f.test").fetchall()
        resolved = con.execute("select patient_id, test, reason from worklist_resolved order by all").fetchall()
    finally:
        con.close()
    assert states == [("LFT", "persisting")]
    assert resolved == [("P1", "CBC", "test done")]
