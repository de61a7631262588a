"""The care team's worklist and review state from night to night (RULES.md "Acting on findings", CONTRACT.md
"review files"), through the CLI as a pharmacist runs it: night 1 on a synthetic registry, the Review sheet of
worklist.xlsx filled in with openpyxl and saved into the reviews folder, night 2 on the same extract."""

import csv
import datetime as dt
import json
import re
import shutil
from html.parser import HTMLParser

import duckdb
import openpyxl
import pytest

from pipelines.cli import main, run_audit
from pipelines.lib.synthetic import generate

AS_OF = dt.date(2026, 11, 26)
NIGHT2 = AS_OF + dt.timedelta(days=1)


class Rows(HTMLParser):
    """The worklist's patient rows: the data attributes of each tbody.patient and its text."""

    def __init__(self, html):
        super().__init__()
        self.rows, self._current = [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tbody" and "patient" in (attrs.get("class") or "").split():
            self._current = {"attrs": attrs, "text": ""}
            self.rows.append(self._current)

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self._current["text"] += data


def _findings(out):
    with open(out / "findings.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _quarantine(out):
    with open(out / "quarantine.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    root = tmp_path_factory.mktemp("worklist")
    extracts, db, reviews = root / "extracts", root / "audit.duckdb", root / "reviews"
    reviews.mkdir()
    generate(extracts, patients=300, seed=7, as_of=AS_OF)
    night1 = root / "reports" / AS_OF.isoformat()
    assert run_audit(extracts, out=night1, as_of=AS_OF, db=db, quiet=True, reviews=reviews) == 0

    # the pharmacist fills in the Review sheet and saves the workbook into the reviews folder
    book = openpyxl.load_workbook(night1 / "worklist.xlsx")
    sheet = book["Review"]
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) + 1 for name in ("finding_id", "status", "note", "reviewed_by", "reviewed_on")}
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    rule_of = {f["finding_id"]: f["rule_id"] for f in _findings(night1)}
    by_rule = {}
    for number, values in enumerate(rows, start=2):
        by_rule.setdefault(rule_of[values[col["finding_id"] - 1]], []).append(number)
    # actioned 20 days ago and still overdue: "still open after action"; an exception on an overdue test;
    # an acknowledgement; and one bad row (a status the contract does not have)
    actioned, excepted, acknowledged, bad = (by_rule["MONITORING_OVERDUE"][0], by_rule["MONITORING_OVERDUE"][1],
                                              by_rule["MONITORING_OVERDUE"][2], by_rule["MONITORING_OVERDUE"][3])
    chosen = {}
    for number, status, day in ((actioned, "actioned", AS_OF - dt.timedelta(days=20)),
                                (excepted, "exception-clinical", AS_OF),
                                (acknowledged, "acknowledged", AS_OF), (bad, "done", AS_OF)):
        sheet.cell(row=number, column=col["status"], value=status)
        sheet.cell(row=number, column=col["reviewed_by"], value="JS")
        sheet.cell(row=number, column=col["reviewed_on"], value=dt.datetime(day.year, day.month, day.day))
        chosen[status] = sheet.cell(row=number, column=col["finding_id"]).value
    sheet.cell(row=excepted, column=col["note"], value="=HYPERLINK(\"x\") <b>frail, bloods at home</b>")
    book.save(reviews / "worklist.xlsx")

    night2 = root / "reports" / NIGHT2.isoformat()
    assert run_audit(extracts, out=night2, as_of=NIGHT2, db=db, quiet=True, reviews=reviews) == 0
    return {"root": root, "extracts": extracts, "db": db, "reviews": reviews, "night1": night1,
            "night2": night2, "chosen": chosen}


def test_the_worklist_has_one_row_per_patient_with_a_current_finding(nights):
    out = nights["night1"]
    rows = Rows((out / "worklist.html").read_text(encoding="utf-8")).rows
    patients = [r["attrs"]["data-patient"] for r in rows]
    current = {f["patient_id"].lower() for f in _findings(out) if f["current"] == "true"}
    assert current, "the synthetic registry has current findings"
    assert len(patients) == len(set(patients)) == len(current)
    assert set(patients) == current
    # urgency: every patient with a critical finding comes before every other
    critical = ["critical" in r["attrs"]["data-severities"].split() for r in rows]
    assert critical[0] and critical == sorted(critical, reverse=True)
    # retrospective findings are not on the list: a retrospective-only patient has no row
    retrospective_only = {f["patient_id"].lower() for f in _findings(out)} - current
    assert retrospective_only and not retrospective_only & set(patients)


def test_the_xlsx_patient_sheet_has_the_worklist_rows(nights):
    out = nights["night1"]
    html_patients = [r["attrs"]["data-patient"] for r in Rows((out / "worklist.html").read_text("utf-8")).rows]
    sheet = openpyxl.load_workbook(out / "worklist.xlsx")["Worklist"]
    xlsx_patients = [str(r[1]).lower() for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert xlsx_patients == html_patients


def test_reviews_saved_back_show_next_night(nights):
    out, chosen = nights["night2"], nights["chosen"]
    findings = {f["finding_id"]: f for f in _findings(out)}
    assert findings[chosen["actioned"]]["review_status"] == "actioned"
    assert findings[chosen["exception-clinical"]]["review_status"] == "exception-clinical"
    assert findings[chosen["acknowledged"]]["review_status"] == "acknowledged"
    assert findings[chosen["done"]]["review_status"] == ""  # the bad row was never applied
    html = (out / "worklist.html").read_text(encoding="utf-8")
    assert chosen["exception-clinical"] not in html  # an exception leaves the worklist
    assert chosen["actioned"] in html and "still open after action" in html
    assert "<b>frail" not in html  # the note is text, escaped
    # the first-seen date stays the first night's
    assert findings[chosen["actioned"]]["first_seen"] == AS_OF.isoformat()


def test_a_bad_review_row_is_quarantined_and_counted(nights):
    out = nights["night2"]
    bad = [q for q in _quarantine(out) if q["file"].startswith("reviews/")]
    assert len(bad) == 1
    assert bad[0]["file"] == "reviews/worklist.xlsx [Review]"
    assert "unknown status" in bad[0]["reasons"] and int(bad[0]["line"]) > 1
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    (counts,) = info["reviews"]["files"]
    assert counts["rows_read"] == 4 and counts["rows_accepted"] == 3 and counts["rows_quarantined"] == 1
    assert counts["rows_read"] == counts["rows_accepted"] + counts["rows_quarantined"]
    assert info["reviews"]["reviews_in_log"] == 3


def test_exceptions_leave_the_after_exceptions_indicator_and_are_counted(nights):
    html = (nights["night2"] / "report.html").read_text(encoding="utf-8")
    card = re.search(r'<div class="card" data-indicator="monitoring_up_to_date"'
                     r' data-numerator="(\d+)" data-denominator="(\d+)".*?<div class="after" data-exceptions="(\d+)"'
                     r' data-numerator-after="(\d+)" data-denominator-after="(\d+)"', html, re.S)
    assert card, "the monitoring card shows the figure after exceptions"
    numerator, denominator, exceptions, numerator_after, denominator_after = map(int, card.groups())
    assert exceptions == 1
    assert denominator_after == denominator - 1 and numerator_after == numerator  # an overdue patient excepted
    shareable = (nights["night2"] / "report_shareable.html").read_text(encoding="utf-8")
    assert "data-exceptions" not in shareable  # exceptions stay with the care team


def test_the_review_log_only_grows_and_never_doubles(nights, tmp_path):
    con = duckdb.connect(str(nights["db"]), read_only=True)
    try:
        before = con.execute("select count(*) from review_log").fetchone()[0]
        sources = {r[0] for r in con.execute("select source from review_log").fetchall()}
    finally:
        con.close()
    assert before == 3 and sources == {"reviews/worklist.xlsx [Review]"}
    night3 = tmp_path / "night3"
    assert run_audit(nights["extracts"], out=night3, as_of=NIGHT2 + dt.timedelta(days=1), db=nights["db"],
                     quiet=True, reviews=nights["reviews"]) == 0
    con = duckdb.connect(str(nights["db"]), read_only=True)
    try:
        assert con.execute("select count(*) from review_log").fetchone()[0] == before
    finally:
        con.close()


def test_aza_audit_review_records_one_review(nights, tmp_path, capsys):
    db = tmp_path / "copy.duckdb"
    shutil.copy(nights["db"], db)
    finding = next(f["finding_id"] for f in _findings(nights["night2"])
                   if f["current"] == "true" and not f["review_status"])
    assert main(["review", finding, "--status", "not-applicable", "--by", "AB", "--note", "wrong patient",
                 "--db", str(db)]) == 0
    assert main(["review", finding, "--status", "not-applicable", "--by", "AB", "--note", "wrong patient",
                 "--db", str(db)]) == 0  # the same review again adds nothing
    assert main(["review", "0000000000000000", "--status", "actioned", "--by", "AB", "--db", str(db)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "aza-audit: the review was not recorded: unknown finding_id (not in this run's findings nor " \
                      "an earlier run's)"
    assert main(["review", finding, "--status", "actioned", "--by", " ", "--db", str(db)]) == 2
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("select source, status, note, reviewed_by from review_log where finding_id = ?",
                           [finding]).fetchall()
    finally:
        con.close()
    assert rows == [("aza-audit review", "not-applicable", "wrong patient", "AB")]
    with pytest.raises(SystemExit) as stop:
        main(["review", finding, "--status", "done", "--by", "AB", "--db", str(db)])
    assert stop.value.code == 2


def test_a_review_csv_with_bad_rows_quarantines_each_with_its_reasons(nights, tmp_path):
    reviews = tmp_path / "reviews"
    reviews.mkdir()
    finding = next(f["finding_id"] for f in _findings(nights["night2"]) if f["current"] == "true")
    future = (NIGHT2 + dt.timedelta(days=30)).isoformat()
    (reviews / "team.csv").write_text(
        "Finding_ID,Status,Note,Reviewed_By,Reviewed_On,Expires_On\n"
        f"{finding},acknowledged,,JS,{NIGHT2.isoformat()},\n"
        "nope,acknowledged,,JS,2026-11-01,\n"
        f"{finding},,,,{future},2020-01-01\n"
        f"{finding},actioned,\"two\nlines\",JS,not a date,\n", encoding="utf-8")
    db = tmp_path / "copy.duckdb"
    shutil.copy(nights["db"], db)
    out = tmp_path / "out"
    assert run_audit(nights["extracts"], out=out, as_of=NIGHT2, db=db, quiet=True, reviews=reviews) == 0
    bad = sorted((int(q["line"]), q["reasons"]) for q in _quarantine(out) if q["file"] == "reviews/team.csv")
    assert [line for line, _ in bad] == [3, 4, 5]
    assert "unknown finding_id" in bad[0][1]
    assert all(r in bad[1][1] for r in ("missing status", "missing reviewed_by", "reviewed_on after the as-of date",
                                        "expires_on before reviewed_on"))
    assert "reviewed_on is not a date" in bad[2][1]
    assert {f["finding_id"]: f["review_status"] for f in _findings(out)}[finding] == "acknowledged"
