"""run_history / findings_history across nights."""

import datetime as dt

import duckdb

from pipelines.lib import history


def _night(con, registry, night, run_id, as_of, fingerprint, status="completed"):
    registry.build(con, night=night)
    history.record_run(con, run_id, as_of, {"name": "default"}, fingerprint)
    history.store_findings(con, run_id, as_of)
    history.finish_run(con, run_id, status)


def test_rerun_of_same_night_replaces_rows(registry):
    con = duckdb.connect()
    as_of = registry.as_of
    _night(con, registry, 1, "r1", as_of, "fp-A")
    n = con.execute("select count(*) from findings_history").fetchone()[0]
    _night(con, registry, 1, "r1-again", as_of, "fp-A")
    assert con.execute("select count(*) from findings_history").fetchone()[0] == n
    assert con.execute("select run_id from run_history").fetchall() == [("r1-again",)]


def test_same_as_of_other_extract_is_a_separate_run_and_the_previous_one(registry):
    con = duckdb.connect()
    as_of = registry.as_of
    _night(con, registry, 1, "r1", as_of, "fp-A")
    _night(con, registry, 2, "r2", as_of, "fp-B")
    assert con.execute("select count(*) from run_history").fetchone()[0] == 2
    assert history.previous_run(con, run_id="r2")["run_id"] == "r1"
    assert history.previous_run(con, run_id="r1") is None


def test_previous_run_and_changes(registry):
    con = duckdb.connect()
    _night(con, registry, 1, "r1", registry.as_of - dt.timedelta(days=1), "fp-1")
    _night(con, registry, 2, "r2", registry.as_of, "fp-2")
    prev = history.previous_run(con, registry.as_of, profile="default")
    assert prev["run_id"] == "r1"
    ch = history.changes(con, "r2")
    assert ch["previous_run_id"] == "r1"
    assert ch["new"] == [registry.finding_id("CYTOPENIA_ON_TREATMENT", "PAT-010", "PLATELETS", dt.date(2024, 6, 20))]
    assert ch["resolved"] == [registry.finding_id("MONITORING_OVERDUE", "PAT-004", "CBC", dt.date(2024, 3, 2))]


def test_failed_run_is_not_previous_and_keeps_the_completed_night(registry):
    con = duckdb.connect()
    _night(con, registry, 1, "r1", registry.as_of, "fp-A")
    history.record_run(con, "r1-retry", registry.as_of, {"name": "default"}, "fp-A")
    history.finish_run(con, "r1-retry", "failed")
    rows = dict(con.execute("select run_id, status from run_history").fetchall())
    assert rows == {"r1": "completed", "r1-retry": "failed"}
    assert con.execute("select count(distinct run_id) from findings_history").fetchone()[0] == 1
    history.record_run(con, "r2", registry.as_of + dt.timedelta(days=1), {"name": "default"}, "fp-B")
    assert history.previous_run(con, run_id="r2")["run_id"] == "r1"


def test_other_profile_is_not_compared(registry):
    con = duckdb.connect()
    _night(con, registry, 1, "r1", registry.as_of - dt.timedelta(days=1), "fp-1")
    history.record_run(con, "r2", registry.as_of, {"name": "uk-smpc"}, "fp-2")
    assert history.previous_run(con, run_id="r2") is None


def test_first_run_has_no_changes(registry):
    con = duckdb.connect()
    _night(con, registry, 1, "r1", registry.as_of, "fp-A")
    assert history.changes(con, "r1") == {"previous_run_id": None, "new": [], "resolved": []}
