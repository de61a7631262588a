"""Great Expectations suites on staged tables: loading, validation in SQL (the DuckDB adapter, checked against
GX's own pandas engine), storage, Data Docs."""

from __future__ import annotations

import json
import logging

import duckdb
import pytest

from pipelines.lib import expectations as E
from pipelines.lib.paths import EXPECTATIONS_DIR
from pipelines.lib.expectations.suites import column_label
from pipelines.lib.expectations import (
    build_data_docs,
    expected_expectation_counts,
    load_suite,
    store_results,
    validate_table,
)

# Written out by hand: GX silently drops an invalid expectation, so a suite that shrinks must fail here.
EXPECTED_COUNTS = {"patients": 9, "prescriptions": 12, "labs": 9, "events": 8, "sites": 5, "reviews": 5}

DDL = {
    "patients": """CREATE TABLE stg_patients (patient_id VARCHAR, site_id VARCHAR, birth_date DATE, sex VARCHAR,
        ms_course VARCHAR, death_date DATE, _line BIGINT)""",
    "prescriptions": """CREATE TABLE stg_prescriptions (prescription_id VARCHAR, patient_id VARCHAR,
        drug_name VARCHAR, drug_code VARCHAR, start_date DATE, end_date DATE, days_supply INTEGER, strength DOUBLE,
        strength_unit VARCHAR, quantity DOUBLE, daily_dose DOUBLE, daily_dose_unit VARCHAR, status VARCHAR,
        _line BIGINT)""",
    "labs": """CREATE TABLE stg_labs (result_id VARCHAR, patient_id VARCHAR, test_code VARCHAR, test_name VARCHAR,
        collected_at TIMESTAMP, collected_date DATE, value VARCHAR, unit VARCHAR, ref_low DOUBLE, ref_high DOUBLE,
        _line BIGINT)""",
    "events": """CREATE TABLE stg_events (event_id VARCHAR, patient_id VARCHAR, event_date DATE, event_type VARCHAR,
        code VARCHAR, description VARCHAR, _line BIGINT)""",
    "sites": """CREATE TABLE stg_sites (site_id VARCHAR, site_name VARCHAR, _line BIGINT)""",
    "reviews": """CREATE TABLE stg_reviews (source VARCHAR, line BIGINT, raw VARCHAR, finding_id VARCHAR,
        status VARCHAR, note VARCHAR, reviewed_by VARCHAR, reviewed_on DATE, expires_on DATE)""",
}

CLEAN = {
    "patients": [
        ("P1", "S1", "1970-03-01", "F", "RRMS", None, 2),
        ("P2", "S1", "1982-07-15", "M", "SPMS", "2023-01-10", 3),
        ("P3", "S2", "1990-01-01", "F", "CIS", None, 4),
    ],
    "prescriptions": [
        ("RX1", "P1", "Azathioprine 50mg tablets", "J04AX01", "2023-01-01", "2023-01-28", 28, 50.0, "mg", 56.0,
         100.0, "mg", "completed", 2),
        ("RX2", "P2", "Imuran 25 mg", None, "2023-02-01", None, None, 25.0, "mg", None, None, None, None, 3),
        ("RX3", "P3", "Ocrelizumab", None, "2022-06-01", "2022-06-01", 1, None, None, 1.0, None, None, "active", 4),
    ],
    "labs": [
        ("L1", "P1", "26464-8", "White Blood Cells", "2023-01-05 09:30:00", "2023-01-05", "6.1", "10*9/L", 4.0,
         11.0, 2),
        ("L2", "P1", None, "ALT", "2023-01-05 00:00:00", "2023-01-05", "22", "U/L", None, 40.0, 3),
        ("L3", "P2", None, "Body weight", "2022-12-01 00:00:00", "2022-12-01", "72.5", "kg", None, None, 4),
    ],
    "events": [
        ("E1", "P1", "2023-03-01", "sepsis", "A41.9", "Sepsis", 2),
        ("E2", "P2", "2023-04-01", "Clinic_Visit", None, None, 3),
    ],
    "sites": [("S1", "Northgate Neurology Centre", 2), ("S2", "Riverside MS Clinic", 3)],
    "reviews": [
        ("reviews/a.csv", 2, "f1,actioned", "f1", "actioned", None, "JS", "2023-05-01", None),
        ("reviews/a.csv", 3, "f2,exception-clinical", "f2", "exception-clinical", "frail", "JS", "2023-05-01",
         "2023-11-01"),
    ],
}

# Each dirty table breaks known expectations a known number of times.
DIRTY = {
    "patients": [
        ("P1", "S1", "1970-01-01", "F", "RRMS", None, 2),
        ("P1", "S1", "1971-01-01", "M", "SPMS", None, 3),  # duplicate id: 2 rows
        (None, "S1", "1972-01-01", "F", "RRMS", None, 4),  # null id
        ("P3", None, "1850-01-01", "F", "RRMS", None, 5),  # no site, implausible birth date
        ("P4", "S2", "1980-01-01", "Q", "relapsing", "1970-06-01", 6),  # died before birth, odd sex and course
    ],
    "prescriptions": [
        ("RX1", "P1", "Azathioprine 50mg", None, "2023-01-01", "2023-01-28", 28, 50.0, "mg", 56.0, None, None,
         "completed", 2),
        ("RX2", "P1", "Azathioprine 50mg", None, "2023-02-01", "2023-01-15", 400, 0.0, "mg", -5.0, None, None,
         "weird", 3),
        ("RX3", "P1", None, None, "1890-01-01", None, None, None, None, None, None, None, None, 4),
    ],
    "labs": [
        ("L1", "P1", "26464-8", None, "2023-01-05 09:30:00", "2023-01-05", "6.1", "10*9/L", 4.0, 11.0, 2),
        ("L1", "P1", "26464-8", None, "2023-01-06 09:30:00", "2023-01-06", "6.0", "10*9/L", 4.0, 11.0, 3),
        ("L2", "P1", "26464-8", None, "2023-01-07 09:30:00", "2023-01-07", None, None, 4.0, 11.0, 4),
        ("L3", "P1", "26464-8", None, "1899-12-31 00:00:00", "1899-12-31", "5.0", "10*9/L", 10.0, 5.0, 5),
    ],
    "events": [
        ("E1", "P1", "2023-03-01", "sepsis", None, None, 2),
        ("E2", "P1", "2023-03-02", "Relapse", None, None, 3),
        ("E3", "P1", "2023-03-03", "flu", None, None, 4),
        ("E4", "P1", "2023-03-04", None, None, None, 5),
        ("E5", "P1", None, "relapse", None, None, 6),
    ],
    "sites": [("S1", "Northgate", 2), ("S1", "Northgate again", 3), (None, "x" * 81, 4), ("S3", None, 5)],
    "reviews": [
        ("reviews/a.csv", 2, "f1,actioned", "f1", "actioned", None, "JS", "2023-05-01", None),
        ("reviews/a.csv", 3, ",done", None, "done", None, None, None, None),
    ],
}

# (expectation, column) -> unexpected_count, for every expectation that must fail on DIRTY.
DIRTY_FAILURES = {
    "patients": {
        ("expect_column_values_to_not_be_null", "patient_id"): 1,
        ("expect_column_values_to_be_unique", "patient_id"): 2,
        ("expect_column_values_to_not_be_null", "site_id"): 1,
        ("expect_column_values_to_be_between", "birth_date"): 1,
        ("expect_column_pair_values_a_to_be_greater_than_b", "death_date,birth_date"): 1,
        ("expect_column_values_to_be_in_set", "sex"): 1,
        ("expect_column_values_to_be_in_set", "ms_course"): 1,
    },
    "prescriptions": {
        ("expect_column_values_to_not_be_null", "drug_name"): 1,
        ("expect_column_values_to_be_between", "start_date"): 1,
        ("expect_column_pair_values_a_to_be_greater_than_b", "end_date,start_date"): 1,
        ("expect_column_values_to_be_between", "days_supply"): 1,
        ("expect_column_values_to_be_between", "strength"): 1,
        ("expect_column_values_to_be_between", "quantity"): 1,
        ("expect_column_values_to_be_in_set", "status"): 1,
    },
    "labs": {
        ("expect_column_values_to_be_unique", "result_id"): 2,
        ("expect_column_values_to_not_be_null", "value"): 1,
        ("expect_column_values_to_not_be_null", "unit"): 1,
        ("expect_column_values_to_be_between", "collected_date"): 1,
        ("expect_column_pair_values_a_to_be_greater_than_b", "ref_high,ref_low"): 1,
    },
    "events": {
        ("expect_column_values_to_not_be_null", "event_date"): 1,
        ("expect_column_values_to_not_be_null", "event_type"): 1,
        ("expect_column_values_to_match_regex", "event_type"): 1,
    },
    "sites": {
        ("expect_column_values_to_not_be_null", "site_id"): 1,
        ("expect_column_values_to_be_unique", "site_id"): 2,
        ("expect_column_values_to_not_be_null", "site_name"): 1,
        ("expect_column_value_lengths_to_be_between", "site_name"): 1,
    },
    "reviews": {
        ("expect_column_values_to_not_be_null", "finding_id"): 1,
        ("expect_column_values_to_be_in_set", "status"): 1,
        ("expect_column_values_to_not_be_null", "reviewed_by"): 1,
        ("expect_column_values_to_not_be_null", "reviewed_on"): 1,
    },
}


def _db(rows_by_file: dict[str, list[tuple]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name, ddl in DDL.items():
        con.execute(ddl)
        rows = rows_by_file.get(name) or []
        if rows:
            marks = ", ".join("?" for _ in rows[0])
            con.executemany(f"INSERT INTO stg_{name} VALUES ({marks})", rows)
    return con


def _by_key(outcomes):
    return {(o.expectation, o.column_name): o for o in outcomes}


def _signature(outcomes):
    return [(o.expectation, o.column_name, o.success, o.element_count, o.unexpected_count) for o in outcomes]


@pytest.mark.parametrize("name", sorted(EXPECTED_COUNTS))
def test_suite_loads_every_expectation(name):
    assert expected_expectation_counts()[name] == EXPECTED_COUNTS[name]
    suite = load_suite(name)
    assert len(suite.expectations) == EXPECTED_COUNTS[name]
    keys = [(e.expectation_type, column_label(e)) for e in suite.expectations]
    assert len(keys) == len(set(keys)), "results are matched back by (type, column): keep them unique per suite"


def test_expected_counts_cover_every_suite_file():
    assert set(expected_expectation_counts()) == set(EXPECTED_COUNTS)
    assert {p.stem for p in EXPECTATIONS_DIR.glob("*.json")} == set(EXPECTED_COUNTS)


def test_load_suite_raises_instead_of_dropping(tmp_path, monkeypatch):
    bad = {
        "name": "patients",
        "expectations": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "patient_id"}},
            {"type": "expect_column_values_to_not_be_nul", "kwargs": {"column": "patient_id"}},
        ],
    }
    (tmp_path / "patients.json").write_text(json.dumps(bad))
    for other in (n for n in E.SUITE_NAMES if n != "patients"):
        (tmp_path / f"{other}.json").write_text((EXPECTATIONS_DIR / f"{other}.json").read_text())
    monkeypatch.setattr(E.suites, "EXPECTATIONS_DIR", tmp_path)
    assert E.expected_expectation_counts()["patients"] == 2
    with pytest.raises(ValueError, match="expect_column_values_to_not_be_nul"):
        E.load_suite("patients")


@pytest.mark.parametrize("name", sorted(EXPECTED_COUNTS))
def test_clean_tables_pass(name):
    con = _db(CLEAN)
    outcomes = validate_table(con, f"stg_{name}", name)
    assert len(outcomes) == EXPECTED_COUNTS[name]
    failed = [(o.expectation, o.column_name, o.error) for o in outcomes if not o.success]
    assert failed == []
    assert all(o.unexpected_count == 0 and o.examples == [] for o in outcomes)
    assert all(o.element_count == len(CLEAN[name]) for o in outcomes)


@pytest.mark.parametrize("name", sorted(EXPECTED_COUNTS))
def test_dirty_tables_fail_the_right_expectations(name):
    con = _db(DIRTY)
    outcomes = validate_table(con, f"stg_{name}", name)
    failed = {(o.expectation, o.column_name): o.unexpected_count for o in outcomes if not o.success}
    assert failed == DIRTY_FAILURES[name]
    assert all(o.error is None for o in outcomes)
    assert all(o.element_count == len(DIRTY[name]) for o in outcomes)


def test_examples_are_offending_values():
    con = _db(DIRTY)
    patients = _by_key(validate_table(con, "stg_patients", "patients"))
    assert patients[("expect_column_values_to_be_unique", "patient_id")].examples == ["P1"]
    assert patients[("expect_column_values_to_be_between", "birth_date")].examples == ["1850-01-01"]
    assert patients[("expect_column_values_to_be_in_set", "sex")].examples == ["Q"]
    assert patients[("expect_column_values_to_not_be_null", "patient_id")].examples == []  # nulls say nothing
    rx = _by_key(validate_table(con, "stg_prescriptions", "prescriptions"))
    assert rx[("expect_column_values_to_be_between", "days_supply")].examples == ["400"]
    labs = _by_key(validate_table(con, "stg_labs", "labs"))
    assert labs[("expect_column_values_to_be_between", "collected_date")].examples == ["1899-12-31"]


def test_dates_outside_pandas_range_are_caught_and_shown_as_they_are():
    con = _db({"patients": [("P1", "S1", "0201-05-05", "F", "RRMS", "9999-12-31", 2)]})
    outcomes = _by_key(validate_table(con, "stg_patients", "patients"))
    birth = outcomes[("expect_column_values_to_be_between", "birth_date")]
    death = outcomes[("expect_column_values_to_be_between", "death_date")]
    assert (birth.success, birth.unexpected_count, birth.examples) == (False, 1, ["0201-05-05"])
    assert (death.success, death.unexpected_count, death.examples) == (False, 1, ["9999-12-31"])


def _python(value):
    """A value of GX's pandas results as the SQL engine gives it (datetime, not numpy or pandas types)."""
    import numpy as np
    import pandas as pd

    if isinstance(value, tuple | list):
        return tuple(_python(v) for v in value)
    if isinstance(value, np.datetime64 | pd.Timestamp):
        return pd.Timestamp(value).to_pydatetime()
    return value.item() if isinstance(value, np.generic) else value


@pytest.mark.parametrize("name", sorted(EXPECTED_COUNTS))
def test_sql_engine_agrees_with_gx_pandas_engine(name):
    """The adapter is judged against GX's own pandas engine on the same rows: every expectation type the
    suites use gives the same success, counts and examples through SQL in DuckDB."""
    con = _db(DIRTY)
    sql = validate_table(con, f"stg_{name}", name)
    frame = con.sql(f"SELECT * FROM stg_{name}").df()
    for column in frame.columns:
        if str(frame[column].dtype) == "datetime64[us]":
            frame[column] = frame[column].astype("datetime64[ns]")
    context = E.validate.context()
    source = context.data_sources.add_or_update_pandas(f"reference_{name}")
    batch = (source.add_dataframe_asset("frame").add_batch_definition_whole_dataframe("whole")
             .get_batch(batch_parameters={"dataframe": frame}))
    for outcome, exp in zip(sql, load_suite(name).expectations):
        reference = batch.validate(exp, result_format={"result_format": "SUMMARY", "partial_unexpected_count": 20})
        result = reference.result or {}
        assert outcome.success == reference.success, (outcome.expectation, outcome.column_name)
        if "element_count" in result:
            assert (outcome.element_count, outcome.unexpected_count) == (
                result["element_count"], result["unexpected_count"]), (outcome.expectation, outcome.column_name)
            shown = [E.validate.example_text(_python(v))
                     for v in result.get("partial_unexpected_list") or [] if v is not None and v == v]
            assert outcome.examples == list(dict.fromkeys(shown))[:5], (outcome.expectation, outcome.column_name)


def test_regex_is_a_search_like_pythons():
    con = _db({"events": [("E1", "P1", "2023-03-01", "Sepsis", None, None, 2),
                          ("E2", "P1", "2023-03-02", "pre-sepsis", None, None, 3)]})
    regex = _by_key(validate_table(con, "stg_events", "events"))[("expect_column_values_to_match_regex", "event_type")]
    assert (regex.success, regex.unexpected_count, regex.examples) == (False, 1, ["pre-sepsis"])


def test_mostly_is_judged_on_the_whole_table():
    # 1 odd ms_course in 20 rows = 95 % valid >= mostly 0.9, though the first 5 rows are only 80 % valid.
    rows = [(f"P{i:02d}", "S1", "1970-01-01", "F", "RRMS", None, i + 2) for i in range(20)]
    rows[0] = ("P00", "S1", "1970-01-01", "F", "relapsing", None, 2)
    con = _db({"patients": rows})
    course = _by_key(validate_table(con, "stg_patients", "patients"))[("expect_column_values_to_be_in_set", "ms_course")]
    assert (course.success, course.element_count, course.unexpected_count) == (True, 20, 1)


def test_duplicates_far_apart_are_found():
    rows = [(f"P{i}", "S1", "1970-01-01", "F", "RRMS", None, i + 2) for i in range(10)]
    rows[9] = ("P0", "S1", "1970-01-01", "F", "RRMS", None, 11)  # same id as the first row, 9 rows later
    con = _db({"patients": rows})
    unique = _by_key(validate_table(con, "stg_patients", "patients"))[
        ("expect_column_values_to_be_unique", "patient_id")
    ]
    assert (unique.success, unique.element_count, unique.unexpected_count, unique.examples) == (False, 10, 2, ["P0"])


def test_missing_column_fails_without_crashing():
    con = duckdb.connect()
    con.execute("CREATE TABLE stg_events (event_id VARCHAR, patient_id VARCHAR, event_date DATE, _line BIGINT)")
    con.execute("INSERT INTO stg_events VALUES ('E1', 'P1', '2023-01-01', 2)")
    outcomes = _by_key(validate_table(con, "stg_events", "events"))
    columns = outcomes[("expect_table_columns_to_match_set", None)]
    assert not columns.success and set(columns.examples) == {"event_type", "code", "description"}
    regex = outcomes[("expect_column_values_to_match_regex", "event_type")]
    assert not regex.success and regex.error
    assert outcomes[("expect_column_values_to_not_be_null", "event_id")].success


def test_table_name_is_quoted():
    con = duckdb.connect()
    con.execute(DDL["events"].replace("stg_events", '"odd ""events"" table"'))
    con.execute('INSERT INTO "odd ""events"" table" VALUES (\'E1\', \'P1\', DATE \'2023-01-01\', \'sepsis\', NULL, NULL, 2)')
    outcomes = validate_table(con, 'odd "events" table', "events")
    assert all(o.success for o in outcomes)


def test_example_values_are_not_logged(caplog):
    con = _db(DIRTY)
    with caplog.at_level(logging.DEBUG):
        validate_table(con, "stg_patients", "patients")
        store_results(con, "patients", validate_table(con, "stg_patients", "patients"))
    assert "relapsing" not in caplog.text and "1850-01-01" not in caplog.text


def test_store_results_replaces_that_suites_rows():
    con = _db(DIRTY)
    store_results(con, "patients", validate_table(con, "stg_patients", "patients"))
    store_results(con, "events", validate_table(con, "stg_events", "events"))
    store_results(con, "patients", validate_table(con, "stg_patients", "patients"))  # a re-run
    counts = dict(con.execute("SELECT suite, count(*) FROM expectation_results GROUP BY suite").fetchall())
    assert counts == {"patients": EXPECTED_COUNTS["patients"], "events": EXPECTED_COUNTS["events"]}
    row = con.execute(
        "SELECT success, element_count, unexpected_count, examples FROM expectation_results "
        "WHERE suite = 'patients' AND expectation = 'expect_column_values_to_be_unique'"
    ).fetchall()
    assert row == [(False, 5, 2, ["P1"])]
    columns = [r[0] for r in con.execute("DESCRIBE expectation_results").fetchall()]
    assert columns == ["suite", "expectation", "column_name", "success", "element_count", "unexpected_count",
                       "examples"]


def test_build_data_docs_writes_a_site(tmp_path):
    con = _db(DIRTY)
    assert build_data_docs(con, tmp_path) is None  # nothing validated yet
    for name in EXPECTED_COUNTS:
        store_results(con, name, validate_table(con, f"stg_{name}", name))
    index = build_data_docs(con, tmp_path)
    assert index == tmp_path / "data_docs" / "index.html"
    assert index.is_file()
    pages = list((tmp_path / "data_docs" / "validations").rglob("*.html"))
    assert {p.parts[-4] for p in pages} == set(EXPECTED_COUNTS)  # validations/<suite>/<run>/<time>/<batch>.html
    patients = next(p for p in pages if p.parts[-4] == "patients").read_text(encoding="utf-8")
    assert "Failed" in patients and "stg_patients" in patients
    assert "great-expectations-web-assets" not in index.read_text(encoding="utf-8")
    # rebuilding replaces the site rather than piling up
    assert build_data_docs(con, tmp_path) == index
