"""Hostile input, faults and leaks (the red team's cases): nothing deleted, nothing crashed, nothing leaked.

Each test reproduces a case that deleted, crashed or leaked on the first version, through the CLI as a
user runs it: exit 0 with the row quarantined or the value treated as not numeric, or exit 2 with one line
naming the file (and column), and nothing outside the run's own output touched."""

import csv
import datetime as dt
import json
import os
import re

import pytest

from pipelines.cli import main, run_audit

AS_OF = dt.date(2025, 6, 1)

PATIENTS = [
    "patient_id,site_id,birth_date,sex,ms_course",
    "P1,S1,1980-01-01,F,RRMS",
    "P2,S1,1975-05-05,M,RRMS",
    "P3,S2,1990-03-03,F,SPMS",
]
PRESCRIPTIONS = [
    "prescription_id,patient_id,drug_name,start_date,days_supply,strength,quantity",
    "R1,P1,Azathioprine 50mg tablets,2024-01-01,28,50,56",
    "R2,P2,Azathioprine 50mg tablets,2024-02-01,28,50,56",
    "R3,P3,Azathioprine 50mg tablets,2024-03-01,28,50,56",
]
LABS = [
    "result_id,patient_id,test_code,test_name,collected_at,value,unit",
    "L1,P1,6690-2,,2024-01-01,6.1,10*9/L",
    "L2,P1,29463-7,,2024-01-01,70,kg",
    "L3,P2,1742-6,,2024-02-01,25,U/L",
]


def extract(folder, patients=PATIENTS, prescriptions=PRESCRIPTIONS, labs=LABS, events=None):
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in (("patients", patients), ("prescriptions", prescriptions), ("labs", labs),
                        ("events", events)):
        if lines is not None:
            (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def audit(tmp_path, extracts, out=None, **kw):
    out = out if out is not None else tmp_path / "reports" / AS_OF.isoformat()
    status = run_audit(extracts, out=out, as_of=AS_OF, db=kw.pop("db", tmp_path / "db" / "audit.duckdb"),
                       quiet=True, **kw)
    return status, out


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and "^^^" not in err and "Dependencies for step" not in err, err
    assert len(err.splitlines()) == 1, err
    return err


def quarantine(out) -> list[dict]:
    with (out / "quarantine.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --- 1. --out never deletes what the run did not write ---------------------------------------------------

@pytest.mark.parametrize("where", ["cwd", "extracts", "holds_db", "foreign_file"])
def test_an_out_folder_holding_other_files_is_refused_and_left_intact(tmp_path, monkeypatch, capsys, where):
    extracts = extract(tmp_path / "extracts")
    db = tmp_path / "db" / "audit.duckdb"
    if where == "cwd":
        monkeypatch.chdir(tmp_path)
        out = tmp_path
    elif where == "extracts":
        out = extracts
    elif where == "holds_db":
        out = tmp_path / "db"
        db.parent.mkdir()
        db.write_bytes(b"not really a database, but precious")
    else:
        out = tmp_path / "mine"
        out.mkdir()
        (out / "notes.docx").write_text("the care team's notes")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    status, _ = audit(tmp_path, extracts, out=out, db=db)
    assert status == 2
    assert str(out) in one_line(capsys)
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p in before}
    assert after == before  # nothing deleted, nothing overwritten


def test_a_run_replaces_its_own_output_folder(tmp_path):
    extracts = extract(tmp_path / "extracts")
    status, out = audit(tmp_path, extracts, out=tmp_path / "out")
    assert status == 0
    assert audit(tmp_path, extracts, out=tmp_path / "out")[0] == 0  # its own folder: replaced
    assert (out / "findings.csv").is_file()


# --- 2. non-finite numbers ---------------------------------------------------------------------------------

def test_nan_and_inf_are_not_numbers_anywhere(tmp_path):
    prescriptions = PRESCRIPTIONS + ["R4,P1,Azathioprine 50mg tablets,2024-04-01,28,50,nan",
                                     "R5,P1,Azathioprine 50mg tablets,2024-05-01,inf,50,56"]
    labs = LABS + ["L4,P1,29463-7,,2024-04-01,NaN,kg", "L5,P2,1742-6,,2024-03-01,-inf,U/L",
                   "L6,P3,6690-2,,2024-03-01,1e400,10*9/L"]
    status, out = audit(tmp_path, extract(tmp_path / "x", prescriptions=prescriptions, labs=labs))
    assert status == 0
    reasons = {(r["file"], r["line"]): r["reasons"] for r in quarantine(out)}
    assert reasons[("prescriptions.csv", "5")] == "quantity is not a number"
    assert reasons[("prescriptions.csv", "6")] == "days_supply is not a number"
    info = json.loads((out / "run.json").read_text())
    notes = {d["note"]: d["rows"] for d in info["data_quality"]}
    assert notes["numeric analyte with a non-numeric value"] == 3
    assert (out / "worklist.xlsx").stat().st_size > 0


def test_parquet_nan_floats_are_not_numbers(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = extract(tmp_path / "x", labs=None)
    pq.write_table(pa.table({"result_id": ["L1", "L2"], "patient_id": ["P1", "P1"], "test_code": ["29463-7"] * 2,
                             "collected_at": ["2024-01-01", "2024-02-01"], "value": [float("nan"), 71.5],
                             "unit": ["kg", "kg"]}), folder / "labs.parquet")
    status, out = audit(tmp_path, folder)
    assert status == 0
    notes = {d["note"]: d["rows"] for d in json.loads((out / "run.json").read_text())["data_quality"]}
    assert notes["numeric analyte with a non-numeric value"] == 1


# --- 3. Data Docs: escaped, offline ----------------------------------------------------------------------

def test_data_docs_escape_values_and_load_nothing_from_the_network(tmp_path):
    patients = PATIENTS + ["P4,S1,1980-01-01,<img src=x onerror=alert(1)>,RRMS"]
    status, out = audit(tmp_path, extract(tmp_path / "x", patients=patients))
    assert status == 0
    pages = list((out / "data_docs").rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<img src=x onerror" not in text, page
        assert not re.search(r"""<(script|link)\b[^>]*(src|href)\s*=\s*["']?(https?:)?//""", text, re.I), page


# --- 4. no free text in the shareable outputs ---------------------------------------------------------------

def test_unmapped_free_text_never_reaches_the_shareable_report(tmp_path):
    secret = "Metformin 500mg for patient P0000040 (J. Smith 1961-02-03)"
    prescriptions = PRESCRIPTIONS + [f'R9,P1,"{secret}",2024-01-05,28,500,56']
    status, out = audit(tmp_path, extract(tmp_path / "x", prescriptions=prescriptions))
    assert status == 0
    assert "J. Smith" in (out / "report.html").read_text(encoding="utf-8")  # care team: listed
    for name in ("report_shareable.html", "summary_shareable.csv"):
        text = (out / name).read_text(encoding="utf-8")
        assert "J. Smith" not in text and "P0000040" not in text and "Metformin" not in text, name


# --- 5. implausible dates and supplies ------------------------------------------------------------------

def test_year_zero_dates_and_absurd_supplies_are_quarantined_with_a_reason(tmp_path):
    prescriptions = PRESCRIPTIONS + ["R4,P1,Azathioprine 50mg tablets,0001-09-10,28,50,56",
                                     "R5,P1,Azathioprine 50mg tablets,0000-09-10,28,50,56",
                                     "R6,P1,Azathioprine 50mg tablets,2024-06-01,3000000000,50,56",
                                     "R7,P1,Azathioprine 50mg tablets,2024-06-01,1e9,50,56"]
    events = ["event_id,patient_id,event_date,event_type", "E1,P1,2150-01-01,infection"]
    status, out = audit(tmp_path, extract(tmp_path / "x", prescriptions=prescriptions, events=events))
    assert status == 0
    reasons = {(r["file"], r["line"]): r["reasons"] for r in quarantine(out)}
    assert "start_date is not a plausible date (before 1900 or after 2100)" in reasons[("prescriptions.csv", "5")]
    assert ("prescriptions.csv", "6") in reasons
    assert "days_supply is above 36525 days (not plausible)" in reasons[("prescriptions.csv", "7")]
    assert "days_supply is above 36525 days (not plausible)" in reasons[("prescriptions.csv", "8")]
    assert "event_date is not a plausible date" in reasons[("events.csv", "2")]


# --- 6. unusable input is exit 2, one line, whatever the format -------------------------------------------

def _break(folder, case):
    if case == "missing labs":
        (folder / "labs.csv").unlink()
        return "labs.csv: required file is missing"
    if case == "empty patients":
        (folder / "patients.csv").write_bytes(b"")
        return "patients.csv: file is empty"
    if case == "utf-16":
        (folder / "patients.csv").write_bytes("\n".join(PATIENTS).encode("utf-16"))
        return "UTF-16"
    if case == "semicolons":
        (folder / "patients.csv").write_text("\n".join(l.replace(",", ";") for l in PATIENTS))
        return "patients.csv: looks semicolon-separated"
    if case == "gzip":
        import gzip

        data = (folder / "labs.csv").read_bytes()
        (folder / "labs.csv").unlink()
        (folder / "labs.csv.gz").write_bytes(gzip.compress(data))
        return "labs.csv.gz: compressed files are not read; decompress it"
    if case == "folder":
        (folder / "labs.csv").unlink()
        (folder / "labs.csv").mkdir()
        return "labs.csv: is a folder"
    if case == "dangling link":
        (folder / "labs.csv").unlink()
        os.symlink(folder / "nowhere.csv", folder / "labs.csv")
        return "labs.csv: is a link to a file that does not exist"
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["missing labs", "empty patients", "utf-16", "semicolons", "gzip", "folder",
                                  "dangling link"])
def test_unusable_input_is_exit_2_with_one_line_naming_the_file(tmp_path, capsys, case):
    folder = extract(tmp_path / "x")
    expected = _break(folder, case)
    status, _ = audit(tmp_path, folder)
    assert status == 2
    assert expected in one_line(capsys)


def test_asking_for_the_wrong_format_is_exit_2(tmp_path, capsys):
    status, _ = audit(tmp_path, extract(tmp_path / "x"), fmt="omop")
    assert status == 2
    assert one_line(capsys)


@pytest.mark.parametrize("as_of", ["1800-01-01", "2200-01-01"])
def test_an_implausible_as_of_date_is_exit_2(tmp_path, capsys, as_of):
    with pytest.raises(SystemExit) as stop:
        main(["run", "--extracts", str(extract(tmp_path / "x")), "--as-of", as_of])
    assert stop.value.code == 2
    assert "between 1900 and 2100" in capsys.readouterr().err


# --- 8. formula injection ----------------------------------------------------------------------------------

def test_formulas_are_neutralised_in_every_csv_and_xlsx_cell(tmp_path):
    import openpyxl

    patients = PATIENTS + ['"=HYPERLINK(""http://evil/"",""x"")",=1+1,1980-01-01,F,RRMS']
    prescriptions = PRESCRIPTIONS + ['RX9,"=HYPERLINK(""http://evil/"",""x"")",Azathioprine 50mg tablets,2024-01-01,28,50,56',
                                     '@SUM(1),P1,Azathioprine 50mg tablets,bad-date,28,50,56']
    status, out = audit(tmp_path, extract(tmp_path / "x", patients=patients, prescriptions=prescriptions),
                        registry_name="=cmd|' /C calc'!A0")
    assert status == 0
    for name in ("findings.csv", "summary.csv", "summary_shareable.csv", "quarantine.csv"):
        with (out / name).open(newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    assert not cell.startswith(("=", "+", "@")) and not re.match(r"-[^\d]", cell), (name, cell)
    with (out / "findings.csv").open(newline="", encoding="utf-8") as handle:
        assert any(r["site_id"] == "'=1+1" for r in csv.DictReader(handle))
    workbook = openpyxl.load_workbook(out / "worklist.xlsx")
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "@")), (sheet.title, cell.value)


# --- 11. chart text is literal ---------------------------------------------------------------------------

def test_a_site_name_with_tex_is_drawn_as_written(tmp_path):
    patients = ["patient_id,site_id,birth_date,sex,ms_course"] + [
        f"Q{i},$\\frac{{1}}{{0}}$,1980-01-01,F,RRMS" for i in range(12)]
    prescriptions = [PRESCRIPTIONS[0]] + [f"RQ{i},Q{i},Azathioprine 50mg tablets,2024-0{1 + i % 6}-01,28,50,56"
                                          for i in range(12)]
    status, out = audit(tmp_path, extract(tmp_path / "x", patients=patients, prescriptions=prescriptions))
    assert status == 0
    assert "frac" in (out / "report.html").read_text(encoding="utf-8")


# --- 12. what a killed run left is swept ------------------------------------------------------------------

def test_folders_left_by_a_killed_run_are_swept_at_the_next(tmp_path):
    extracts = extract(tmp_path / "x")
    reports = tmp_path / "reports"
    (reports / ".tmp-killed" / "findings.csv").parent.mkdir(parents=True)
    (reports / ".tmp-killed" / "findings.csv").write_text("patient-level")
    (reports / ".old-killed").mkdir()
    (reports / ".tmp-killed" / ".aza-audit-writing").write_text("999999999\n")  # a process that is gone
    assert audit(tmp_path, extracts)[0] == 0
    assert not (reports / ".tmp-killed").exists() and not (reports / ".old-killed").exists()
    assert not [p for p in reports.iterdir() if p.name.startswith((".tmp-", ".old-"))]
    assert not list((reports / AS_OF.isoformat()).glob(".gx-build-*"))


# --- 13. a folder the run cannot use says why, before the run ----------------------------------------------

def test_a_database_under_a_file_is_one_line_before_any_work(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    status, out = audit(tmp_path, extract(tmp_path / "x"), db=tmp_path / "afile" / "audit.duckdb")
    assert status == 2
    assert "is a file, not a folder" in one_line(capsys)
    assert not out.exists()


# --- 14. weak spots ------------------------------------------------------------------------------------------

def test_a_zero_byte_optional_events_file_is_absent(tmp_path):
    folder = extract(tmp_path / "x")
    (folder / "events.csv").write_bytes(b"")
    status, out = audit(tmp_path, folder)
    assert status == 0
    assert json.loads((out / "run.json").read_text())["events_present"] is False


def test_a_duplicated_extra_column_is_ignored(tmp_path):
    patients = ["patient_id,site_id,birth_date,notes,notes", "P1,S1,1980-01-01,a,b", "P2,S1,1975-05-05,c,d",
                "P3,S2,1990-03-03,e,f"]
    status, out = audit(tmp_path, extract(tmp_path / "x", patients=patients))
    assert status == 0
    assert json.loads((out / "run.json").read_text())["inputs"]["patients"]["rows_accepted"] == 3


def test_a_bad_birth_date_drops_the_field_not_the_patient(tmp_path):
    patients = PATIENTS + ["P4,S1,31/02/1980,F,RRMS", "P5,S1,1066-10-14,F,RRMS"]
    prescriptions = PRESCRIPTIONS + ["R4,P4,Azathioprine 50mg tablets,2024-01-01,28,50,56"]
    status, out = audit(tmp_path, extract(tmp_path / "x", patients=patients, prescriptions=prescriptions))
    assert status == 0
    assert not [r for r in quarantine(out) if r["file"] == "patients.csv"]
    info = json.loads((out / "run.json").read_text())
    assert info["inputs"]["patients"]["rows_accepted"] == 5
    assert info["inputs"]["prescriptions"]["rows_quarantined"] == 0


@pytest.mark.parametrize("line, message", [
    ("maintenance_max_gap_days = -5", "must be a finite number >= 0"),
    ("maintenance_max_gap_days = nan", "must be a finite number >= 0"),
    ("suppress_at_or_below = 3", "must be at least 5"),
])
def test_profile_values_are_range_checked_at_load(tmp_path, monkeypatch, line, message):
    from pipelines.lib import profiles

    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "default.toml").write_bytes((profiles.PROFILES_DIR / "default.toml").read_bytes())
    (folder / "bad.toml").write_text(f'extends = "default"\n[x]\n{line}\n')
    monkeypatch.setattr(profiles, "PROFILES_DIR", folder)
    with pytest.raises(profiles.ProfileError, match=message):
        profiles.load_profile("bad")


# --- 15. sanity guards ----------------------------------------------------------------------------------------

def test_no_azathioprine_and_future_data_are_said_at_the_top(tmp_path, capsys):
    prescriptions = [PRESCRIPTIONS[0], "R1,P1,Paracetamol 500mg,2024-01-01,28,500,56"]
    labs = [LABS[0]] + [f"L{i},P1,6690-2,,2030-01-0{i},6.1,10*9/L" for i in range(1, 6)]
    status, out = audit(tmp_path, extract(tmp_path / "x", prescriptions=prescriptions, labs=labs))
    assert status == 0
    warnings = {w["code"] for w in json.loads((out / "run.json").read_text())["warnings"]}
    assert {"no_azathioprine", "after_as_of", "most_quarantined"} <= warnings
    for name in ("report.html", "report_shareable.html"):
        html = (out / name).read_text(encoding="utf-8")
        assert 'id="warnings"' in html and 'data-warning="no_azathioprine"' in html


# --- 9. a malformed row is quarantined with its line, by both readers ------------------------------------

@pytest.mark.parametrize("blank_line", [False, True], ids=["fast reader", "exact reader"])
@pytest.mark.parametrize("bad, reason", [
    ('R9,P1,"Aza 50mg" tabs,2024-01-05,28,50,56', "malformed quoting"),
    ('R9,P1,"Aza 50mg tabs,2024-01-05,28,50,56', "unterminated quote"),
])
def test_a_stray_quote_quarantines_its_row_never_the_file(tmp_path, blank_line, bad, reason):
    import duckdb

    from pipelines.lib.extracts import load_raw

    rows = [PRESCRIPTIONS[0], PRESCRIPTIONS[1], bad, PRESCRIPTIONS[2]] + ([""] if blank_line else []) + [PRESCRIPTIONS[3]]
    folder = extract(tmp_path / "x", prescriptions=rows)
    status, out = audit(tmp_path, folder)
    assert status == 0
    reasons = {(r["file"], r["line"]): r["reasons"] for r in quarantine(out)}
    assert list(reasons) == [("prescriptions.csv", "3")]
    assert reason in reasons[("prescriptions.csv", "3")]
    info = json.loads((out / "run.json").read_text())["inputs"]["prescriptions"]
    assert (info["rows_read"], info["rows_accepted"]) == (4, 3)
    tables = []
    for fast in (True, False):  # both readers give the same raw table
        con = duckdb.connect()
        load_raw(con, folder, "prescriptions", fast=fast)
        # the fast reader leaves these rows unnumbered: staging numbers them by their order (row n, line n + 1)
        tables.append(con.execute("select coalesce(_line, row_number() over () + 1) as line, * exclude (_line, _raw) "
                                  "from raw_prescriptions order by line").fetchall())
    assert tables[0] == tables[1]


# --- 10. Parquet with native types and nested extra columns ---------------------------------------------

def test_parquet_native_dates_timestamps_and_nested_extras_are_read(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = extract(tmp_path / "x", prescriptions=None, labs=None)
    pq.write_table(pa.table({
        "prescription_id": ["R1", "R2"], "patient_id": ["P1", "P2"], "drug_name": ["Azathioprine 50mg"] * 2,
        "start_date": pa.array([dt.date(2024, 1, 1), dt.date(2024, 2, 1)], pa.date32()),
        "days_supply": pa.array([28, 28], pa.int32()), "strength": [50.0, 50.0], "quantity": [56.0, 56.0],
        "tags": pa.array([["a", "b"], []], pa.list_(pa.string())),
        "meta": pa.array([{"k": 1}, {"k": 2}], pa.struct([("k", pa.int64())])),
    }), folder / "prescriptions.parquet")
    pq.write_table(pa.table({
        "result_id": ["L1", "L2"], "patient_id": ["P1", "P2"], "test_code": ["6690-2", "6690-2"],
        "collected_at": pa.array([dt.datetime(2024, 1, 1, 9, 30, tzinfo=dt.timezone.utc)] * 2,
                                 pa.timestamp("us", tz="UTC")),
        "value": [6.1, 5.9], "unit": ["10*9/L"] * 2,
    }), folder / "labs.parquet")
    pq.write_table(pa.table({"event_id": ["E1"], "patient_id": ["P1"],
                             "event_date": pa.array([20240301], pa.int32()), "event_type": ["clinic_visit"]}),
                   folder / "events.parquet")
    status, out = audit(tmp_path, folder)
    assert status == 0
    assert quarantine(out) == []
    info = json.loads((out / "run.json").read_text())["inputs"]
    assert (info["prescriptions"]["rows_accepted"], info["labs"]["rows_accepted"],
            info["events"]["rows_accepted"]) == (2, 2, 1)


def test_the_terminal_shows_no_dagster_skip_notices_before_the_reason(tmp_path, capsys):
    folder = extract(tmp_path / "x")
    (folder / "labs.csv").unlink()
    status = main(["run", "--extracts", str(folder), "--as-of", AS_OF.isoformat(), "--db", str(tmp_path / "a.duckdb"),
                   "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2
    assert "Dependencies for step" not in err and "Not executing" not in err
    assert err.strip().splitlines()[-1] == "labs.csv: required file is missing (looked for .csv and .parquet)"


def test_a_database_error_reaches_the_user_as_its_first_meaningful_line(tmp_path, capsys, monkeypatch):
    import duckdb

    from pipelines.lib import audit as stages

    def broken(con, ctx, log=None):
        con.execute("select cast('x' as integer)")  # DuckDB: "Conversion Error: ..." then the statement and ^^^

    monkeypatch.setattr(stages, "episodes", broken)
    status, _ = audit(tmp_path, extract(tmp_path / "x"))
    assert status == 1
    line = one_line(capsys)
    assert line.startswith("aza-audit: episodes failed: Conversion Error:"), line
    assert duckdb  # the error is DuckDB's own


def test_a_second_run_on_the_same_database_says_it_is_waiting_and_for_whom(tmp_path, capsys):
    from pipelines.defs.resources import DatabaseBusyError, acquire_run_lock, release_run_lock

    db = tmp_path / "audit.duckdb"
    holder = acquire_run_lock(db, 1)
    said = []
    try:
        with pytest.raises(DatabaseBusyError):
            acquire_run_lock(db, 1, log=said.append)
    finally:
        release_run_lock(holder)
    assert said and "another audit run (process" in said[0] and str(os.getpid()) in said[0]


def test_a_bad_death_date_drops_the_field_not_the_patient(tmp_path):
    patients = PATIENTS + ["P4,S1,1980-01-01,F,RRMS,31/12/2019", "P5,S1,1980-01-01,F,RRMS,2019-12-31"]
    patients[0] += ",death_date"
    patients[1:4] = [p + "," for p in patients[1:4]]
    status, out = audit(tmp_path, extract(tmp_path / "x", patients=patients))
    assert status == 0
    assert not [r for r in quarantine(out) if r["file"] == "patients.csv"]
    notes = {d["note"]: d["rows"] for d in json.loads((out / "run.json").read_text())["data_quality"]}
    assert notes["death_date not a date or not plausible: the value dropped, the patient kept (stg_field_notes)"] == 1
