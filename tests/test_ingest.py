"""Ingest: the contract's file rules, the quarantine with every reason, and counts that reconcile."""

import datetime as dt
import json

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.lib.audit import RunContext, ingest
from pipelines.lib.extracts import ExtractError
from pipelines.lib.settings import RunSettings

AS_OF = dt.date(2025, 6, 1)

PATIENTS = "patient_id,site_id,birth_date\nP1,S1,1980-01-01\nP2,S2,1975-05-05\n"
PRESCRIPTIONS = ("prescription_id,patient_id,drug_name,start_date,days_supply,strength,quantity\n"
                 "R1,P1,Azathioprine 50mg,2025-01-01,28,50,56\n")
LABS = "result_id,patient_id,test_name,collected_at,value,unit\nL1,P1,WBC,2025-01-01,5.0,10*9/L\n"


def write(directory, patients=PATIENTS, prescriptions=PRESCRIPTIONS, labs=LABS, events=None, encoding="utf-8"):
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in (("patients", patients), ("prescriptions", prescriptions), ("labs", labs), ("events", events)):
        if text is not None:
            (directory / f"{name}.csv").write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return directory


def run(directory):
    con = duckdb.connect()
    ctx = RunContext.create(RunSettings(extracts_dir=directory, as_of=AS_OF))
    counts = {c.file: c for c in ingest(con, ctx)}
    return con, counts


def quarantine(con):
    return [tuple(r) for r in con.execute("select file, line, reasons from quarantine order by file, line").fetchall()]


def test_bom_case_insensitive_headers_quoted_commas_and_both_datetime_forms(tmp_path):
    directory = write(
        tmp_path,
        patients="\ufeffPatient_ID,Site_Id,BIRTH_DATE\nP1,S1,1980-01-01\n",
        prescriptions=('PRESCRIPTION_ID,patient_id,Drug_Name,start_date\n'
                       'R1,P1,"Azathioprine 50mg tablets, film coated",2025-01-01\n'),
        labs=("result_id,patient_id,test_name,collected_at,value,unit\n"
              "L1,P1,WBC,2025-01-01T09:30:00,5.0,10*9/L\nL2,P1,WBC,2025-01-02 09:30,5.0,10*9/L\n"
              "L3,P1,WBC,2025-01-03,5.0,10*9/L\n"),
    )
    con, counts = run(directory)
    assert quarantine(con) == []
    assert con.execute("select drug_name from stg_prescriptions").fetchone()[0] == "Azathioprine 50mg tablets, film coated"
    assert [r[0] for r in con.execute("select collected_date from stg_labs order by result_id").fetchall()] == [
        dt.date(2025, 1, 1), dt.date(2025, 1, 2), dt.date(2025, 1, 3)]
    assert counts["patients"].rows_accepted == 1


def test_every_kind_of_bad_row_is_quarantined_with_file_line_and_every_reason(tmp_path):
    directory = write(
        tmp_path,
        patients="patient_id,birth_date\nP1,1980-01-01\nP1,1980-01-01\n,1980-01-01\nP3,2030-01-01\n",
        prescriptions=(
            "prescription_id,patient_id,drug_name,start_date,strength,quantity,days_supply\n"
            "R1,P1,Azathioprine,2025-01-01,50,56,28\n"          # line 2: fine
            "R1,P1,Azathioprine,2025-01-01,50,56,28\n"          # line 3: duplicate id
            "R2,P1,Azathioprine,12/03/2021,50,-5,28\n"          # line 4: bad date and negative quantity
            "R3,P9,Azathioprine,2025-01-01,0,56,abc\n"          # line 5: unknown patient, zero strength, bad number
            "R4,P1,,2025-07-01,50,56,28\n"                       # line 6: missing drug name, after as-of
        ),
        labs=("result_id,patient_id,test_code,test_name,collected_at,value\n"
              "L1,P1,,,2025-01-01,5\n"                            # line 2: neither code nor name
              "L2,P1,6690-2,,2025-01-01,\n"),                     # line 3: no value
        events=("event_id,patient_id,event_date,event_type\nE1,P1,2025-02-30,sepsis\n"),
    )
    con, counts = run(directory)
    rows = quarantine(con)
    assert ("patients.csv", 3, "duplicate patient_id (first on line 2)") in rows
    assert ("patients.csv", 4, "patient_id is missing") in rows
    assert ("patients.csv", 5, "birth_date is after the as-of date") in rows
    assert ("prescriptions.csv", 3, "duplicate prescription_id (first on line 2)") in rows
    assert ("prescriptions.csv", 4,
            "start_date is not a date (YYYY-MM-DD); quantity is zero or negative") in rows
    assert ("prescriptions.csv", 5,
            "days_supply is not a number; strength is zero or negative; unknown patient_id") in rows
    assert ("prescriptions.csv", 6, "drug_name is missing; start_date is after the as-of date") in rows
    assert ("labs.csv", 2, "test_code and test_name are both missing") in rows
    assert ("labs.csv", 3, "value is missing") in rows
    assert ("events.csv", 2, "event_date is not a date (YYYY-MM-DD)") in rows
    for c in counts.values():
        assert c.rows_read == c.rows_accepted + c.rows_quarantined
    assert (counts["prescriptions"].rows_read, counts["prescriptions"].rows_quarantined) == (5, 4)


def test_raw_text_and_line_numbers_survive_multiline_quoted_fields(tmp_path):
    directory = write(
        tmp_path,
        prescriptions=('prescription_id,patient_id,drug_name,start_date\n'
                       'R1,P1,"Azathioprine\n50mg",2025-01-01\n'
                       'R2,P1,Azathioprine,not-a-date\n'),
    )
    con, _ = run(directory)
    assert con.execute("select line, raw from quarantine").fetchall() == [(4, "R2,P1,Azathioprine,not-a-date")]


def test_wrong_field_count_and_invalid_utf8_are_quarantined_not_fatal(tmp_path):
    directory = write(
        tmp_path,
        labs=b"result_id,patient_id,test_name,collected_at,value\nL1,P1,WBC,2025-01-01,5,extra\n"
             b"L2,P1,WBC \xff,2025-01-01,5\nL3,P1,WBC,2025-01-01,5\n",
    )
    con, counts = run(directory)
    rows = quarantine(con)
    assert rows == [("labs.csv", 2, "has 6 fields, header has 5"), ("labs.csv", 3, "not valid UTF-8")]
    assert counts["labs"].rows_accepted == 1


def test_extra_columns_are_kept_in_the_raw_table(tmp_path):
    from pipelines.lib.extracts import load_raw

    directory = write(tmp_path, patients="patient_id,Local_Ref\nP1,abc\nP2,\n")
    con = duckdb.connect()
    load_raw(con, directory, "patients")  # the raw tables last until staging has typed them
    extras = [r[0] for r in con.execute("select _extra from raw_patients order by _line").fetchall()]
    assert json.loads(extras[0]) == {"local_ref": "abc"} and extras[1] is None


def test_parquet_extracts_are_read_like_csv(tmp_path):
    write(tmp_path)
    (tmp_path / "labs.csv").unlink()
    pq.write_table(pa.table({"result_id": ["L1", "L2"], "patient_id": ["P1", "P1"], "test_code": ["6690-2", "6690-2"],
                             "collected_at": [dt.datetime(2025, 1, 1, 9), dt.datetime(2025, 1, 2)],
                             "value": [5.0, None], "unit": ["10*9/L", "10*9/L"]}), tmp_path / "labs.parquet")
    con, counts = run(tmp_path)
    assert counts["labs"].format == "parquet"
    assert (counts["labs"].rows_read, counts["labs"].rows_accepted) == (2, 1)
    assert quarantine(con) == [("labs.parquet", 3, "value is missing")]


def test_absent_optional_events_file_is_recorded_as_absent(tmp_path):
    con, counts = run(write(tmp_path))
    assert counts["events"].present is False and counts["events"].rows_read == 0


@pytest.mark.parametrize("name,text,message", [
    ("prescriptions", "prescription_id,patient_id,drug_name\nR1,P1,Aza\n",
     "prescriptions.csv: column start_date: required column is missing"),
    ("labs", "result_id,patient_id,collected_at,value\n",
     "labs.csv: column test_code or test_name: one of these columns is required and none is present"),
    ("patients", "", "patients.csv: file is empty: no header row"),
])
def test_unusable_input_names_the_file_and_the_column(tmp_path, name, text, message):
    write(tmp_path, **{name: text})
    with pytest.raises(ExtractError) as error:
        run(tmp_path)
    assert str(error.value) == message


def test_a_missing_required_file_is_unusable(tmp_path):
    write(tmp_path)
    (tmp_path / "labs.csv").unlink()
    with pytest.raises(ExtractError, match="labs.csv: required file is missing"):
        run(tmp_path)


def test_a_row_that_cannot_be_parsed_as_csv_is_quarantined_and_names_the_line(tmp_path):
    # Contract version 2: a malformed row is quarantined with its line, never the whole file (it was
    # "unusable: cannot be parsed as CSV at line 3" in version 1).
    write(tmp_path, labs='result_id,patient_id,test_name,collected_at,value\nL1,P1,WBC,2025-01-01,5\nL2,P1,"WBC,2025-01-01,5\n')
    con, counts = run(tmp_path)
    (line_reasons,) = [(line, reasons) for file, line, reasons in quarantine(con) if file == "labs.csv"]
    assert line_reasons[0] == 3 and "unterminated quote" in line_reasons[1]
    assert (counts["labs"].rows_read, counts["labs"].rows_accepted) == (2, 1)


def test_quarantined_rows_keep_their_text_and_accepted_rows_carry_none(tmp_path):
    directory = write(tmp_path, labs=("result_id,patient_id,test_name,collected_at,value\n"
                                      "L1,P1,WBC,2025-01-01,5\n\nL2,P1,WBC,2025-13-01,5\n"))
    con, counts = run(directory)
    assert con.execute("select line, raw from quarantine").fetchall() == [(4, "L2,P1,WBC,2025-13-01,5")]
    assert counts["labs"].rows_read == 2  # the blank line is not a row


def test_the_fast_reader_and_the_exact_reader_give_the_same_raw_tables(tmp_path):
    from pipelines.lib.extracts import EXTRACT_FILES, load_raw
    from pipelines.lib.synthetic import generate

    generate(tmp_path, patients=150, seed=3, as_of=AS_OF)
    fast, exact = duckdb.connect(), duckdb.connect()
    for name in ("patients", "prescriptions", "labs", "events"):
        load_raw(fast, tmp_path, name, fast=True, chunk_rows=7_000)
        load_raw(exact, tmp_path, name, fast=False)
        query = f"select * from raw_{name} order by _line"
        if EXTRACT_FILES[name].lines_from_staging:  # numbered by staging (next test): the rows in file order
            assert fast.execute(f"select count(*) from raw_{name} where _line is not null").fetchone()[0] == 0
            query = f"select * exclude (_line, _line_end) from raw_{name}"
        assert fast.execute(query).fetchall() == exact.execute(query).fetchall(), name


def test_the_fast_reader_and_the_exact_reader_stage_the_same_rows_and_lines(tmp_path, monkeypatch):
    """Staging numbers the fast reader's rows of the large files by the order it writes them: the typed
    tables, line numbers and reasons (repeated ids name their first line) are the exact reader's."""
    import functools

    from pipelines.lib import staging
    from pipelines.lib.synthetic import generate

    generate(tmp_path, patients=300, seed=5, as_of=AS_OF)
    labs = (tmp_path / "labs.csv").read_text().splitlines(keepends=True)
    # a repeated result_id three times (the first kept) and a row of a patient not in patients.csv
    labs[5:5] = [labs[2], labs[3], labs[2], labs[4].replace(labs[4].split(",")[1], "P-NOT-THERE", 1)]
    (tmp_path / "labs.csv").write_text("".join(labs))
    fast, _ = run(tmp_path)
    monkeypatch.setattr(staging, "load_raw", functools.partial(staging.load_raw, fast=False))
    exact, _ = run(tmp_path)
    for table in ("chk_patients", "checked_prescriptions", "checked_labs", "checked_events"):
        query = f"select * from {table} order by _line"
        assert fast.execute(query).fetchall() == exact.execute(query).fetchall(), table
    assert quarantine(fast) == quarantine(exact)
    reasons = [r for f, _, r in quarantine(fast) if f == "labs.csv"]
    assert sum("duplicate result_id (first on line 3)" in r for r in reasons) == 2
    assert any(r.endswith("unknown patient_id") for r in reasons)


HEADER = b"result_id,patient_id,test_name,collected_at,value\n"


def numbered_rows(con, table="raw_labs"):
    """A raw table's rows by line. The fast reader leaves a large file's rows unnumbered, and staging numbers
    them by their order in the file (row n is line n + 1): they are numbered so here."""
    return con.execute(f"select coalesce(_line, row_number() over () + 1) as line, "
                       f"coalesce(_line_end, row_number() over () + 1) as line_end, "
                       f"* exclude (_line, _line_end, _extra), _extra::json from {table} order by line").fetchall()


@pytest.mark.parametrize("body", [
    b"L1,P1,WBC,2025-01-01,5\nL2,P1,WBC,2025-01-02,6,\n",  # a trailing comma: one field too many
    b"L1,P1,WBC,2025-01-01\nL2,P1,WBC,2025-01-02,6\n",  # one field too few
    b"L1,P1,WBC,2025-01-01,5,x,y\n",  # two too many
    b'L1,P1,"",2025-01-01,""\n,,,,\n',  # quoted empty fields, a row of empty fields
    b'L1,P1,"W, B ""C""",2025-01-01,5\nL2,P1,ab"c,2025-01-02, 6 \n',  # quotes inside, spaces kept
    b'L1,P1,"WBC" x,2025-01-01,5\nL2,P1,WBC,2025-01-02,6\n',  # a stray quote
    b'L1,P1,"WBC,2025-01-01,5\nL2,P1,WBC,2025-01-02,6\n',  # a quote never closed
    b"L1,P1,WBC,2025-01-01,5\r\nL2,P1,WBC,2025-01-02,6\r\n",  # CRLF
    b"L1,P1,WBC,2025-01-01,5\rL2,P1,WBC,2025-01-02,6\r",  # CR only
    b"L1,P1,W\xffBC,2025-01-01,5\n",  # not UTF-8
    b"L1,P1,WBC,2025-01-01,5\n\n\nL2,P1,WBC,2025-01-02,6",  # blank lines, no final newline
    b"L1,P1,WBC,2025-01-01,5\x00\n",  # a NUL byte
], ids=["trailing comma", "too few", "two too many", "empty fields", "inner quotes", "stray quote", "open quote",
        "CRLF", "CR only", "not UTF-8", "blank lines", "NUL"])
@pytest.mark.parametrize("header", [HEADER, b"\xef\xbb\xbf" + HEADER.replace(b"\n", b",local ref,Note\n")],
                         ids=["contract columns", "BOM and extra columns"])
def test_duckdbs_reader_gives_the_exact_readers_rows_or_hands_the_file_over(tmp_path, header, body):
    from pipelines.lib.extracts import load_raw

    (tmp_path / "labs.csv").write_bytes(header + body)
    fast, exact = duckdb.connect(), duckdb.connect()
    assert load_raw(fast, tmp_path, "labs", fast=True).rows_read == load_raw(exact, tmp_path, "labs", fast=False).rows_read
    assert numbered_rows(fast) == numbered_rows(exact)


@pytest.mark.parametrize("text", [
    HEADER + b'L1,P1,"W, B ""C""",2025-01-01,5\nL2,P1,,2025-01-02,""\n',
    (HEADER + b"L1,P1,WBC,2025-01-01,5\nL2,P1,WBC,2025-01-02,6\n").replace(b"\n", b"\r\n"),
    b"\xef\xbb\xbf" + HEADER.replace(b"\n", b",local ref\n") + b"L1,P1,WBC,2025-01-01,5,abc\nL2,P1,WBC,2025-01-01,5,\n",
], ids=["quoted values", "CRLF", "BOM and an extra column"])
def test_a_well_formed_file_is_read_by_duckdb_with_the_same_rows(tmp_path, text):
    from pipelines.lib.extracts import load_raw

    (tmp_path / "labs.csv").write_bytes(text)
    fast, exact = duckdb.connect(), duckdb.connect()
    load_raw(fast, tmp_path, "labs")
    load_raw(exact, tmp_path, "labs", fast=False)
    kind = "select table_type from information_schema.tables where table_name = 'raw_labs'"
    assert fast.execute(kind).fetchall() == [("VIEW",)]  # DuckDB read it: the fast path was taken
    assert numbered_rows(fast) == numbered_rows(exact)


def test_a_second_read_replaces_the_view_or_the_table(tmp_path):
    from pipelines.lib.extracts import load_raw

    con = duckdb.connect()
    for body in (b"L1,P1,WBC,2025-01-01,5\n", b'L1,P1,"WBC,2025-01-01,5\n', b"L2,P1,WBC,2025-01-01,5\n"):
        (tmp_path / "labs.csv").write_bytes(HEADER + body)
        load_raw(con, tmp_path, "labs")
        assert con.execute("select count(*) from raw_labs").fetchall() == [(1,)]


@pytest.mark.parametrize("labs,line", [
    ("result_id,patient_id,test_name,collected_at,value\nL1,P1,WBC,2025-01-01,5\n\nL2,P1,WBC,2025-13-01,5\n", 4),
    ('result_id,patient_id,test_name,collected_at,value\nL1,P1,"W\nBC",2025-01-01,5\nL2,P1,WBC,2025-13-01,5\n', 4),
    ("result_id,patient_id,test_name,collected_at,value\r\nL1,P1,WBC,2025-01-01,5\r\nL2,P1,WBC,2025-13-01,5", 3),
], ids=["blank line", "value over two lines", "CRLF, no final newline"])
def test_line_numbers_are_exact_whichever_reader_reads_the_file(tmp_path, labs, line):
    con, _ = run(write(tmp_path, labs=labs))
    assert con.execute("select line, reasons from quarantine").fetchall() == [
        (line, "collected_at is not a date or date-time (YYYY-MM-DD[ HH:MM[:SS]])")]


@pytest.mark.parametrize("text", [
    b"h\nA\nB\nC", b"h\nA\nB\nC\n", b"h\r\nA\r\nB\xff\r\n", b"\xef\xbb\xbfh\nA,\xc3\xa9\n", b"h\n\n\nA\n",
    b"h\n" + b"x" * (9 << 20) + b"\nB\n", b"h\n" + b"y" * (17 << 20), b"h\n",
], ids=["no final newline", "final newline", "CRLF and a bad byte", "BOM and UTF-8", "blank lines",
        "a line longer than a block", "one line over two blocks", "header only"])
def test_the_quarantine_reads_one_line_rows_back_as_the_line_reader_does(tmp_path, text):
    """The quarantined rows of a file DuckDB read are read back by line number from bytes (numpy finds the
    newlines): the same text as the line-by-line reader gives, whatever the line ends and block edges."""
    from pipelines.lib.extracts import iter_lines, iter_single_lines

    path = tmp_path / "labs.csv"
    path.write_bytes(text)
    lines = list(range(2, text.count(b"\n") + (not text.endswith(b"\n")) + 1))
    assert list(iter_single_lines(path, lines)) == list(iter_lines(path, [(n, n) for n in lines]))
    assert list(iter_single_lines(path, lines[1::2])) == list(iter_lines(path, [(n, n) for n in lines[1::2]]))
