"""The rules on the synthetic registry: each rule fires for every patient the generator built for it,
and the ingest reconciles with the generator's own count of dirty rows."""

import csv
import datetime as dt
from collections import defaultdict

import duckdb
import pytest

from pipelines.lib.audit import run_audit_in
from pipelines.lib.rules import discover_rules
from pipelines.lib.synthetic import generate

AS_OF = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    directory = tmp_path_factory.mktemp("synthetic")
    manifest = generate(directory, patients=400, seed=7, as_of=AS_OF)
    con = duckdb.connect()
    catalogue = run_audit_in(con, directory, AS_OF)
    expected = defaultdict(set)
    with (directory / "scenarios.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            for rule_id in filter(None, row["expected_rules"].split(";")):
                expected[rule_id].add(row["patient_id"])
    return con, catalogue, expected, manifest


@pytest.mark.parametrize("rule_id", [rule.rule_id for rule in discover_rules()])
def test_rule_fires_for_every_patient_built_for_it(registry, rule_id):
    con, _, expected, _ = registry
    flagged = {r[0] for r in con.execute("select distinct patient_id from findings where rule_id = $rule_id",
                                         {"rule_id": rule_id}).fetchall()}
    assert expected[rule_id], f"the generator built no patient for {rule_id}"
    missing = expected[rule_id] - flagged
    assert not missing, f"{rule_id} did not fire for {len(missing)} of {len(expected[rule_id])} patients built for it"


def test_every_rule_was_evaluated_and_most_patients_are_not_flagged(registry):
    con, catalogue, _, _ = registry
    assert all(row["evaluated"] for row in catalogue)
    for rule_id, evaluated, flagged in con.execute(
            "select rule_id, patients_evaluated, patients_flagged from rule_summary where site_id = 'ALL'").fetchall():
        assert evaluated > 0, rule_id
        assert flagged < evaluated, f"{rule_id} flags every patient it evaluates"


def test_ingest_reconciles_with_the_dirty_rows_the_generator_wrote(registry):
    con, _, _, manifest = registry
    counts = {r[0]: r[1:] for r in con.execute(
        "select file, rows_read, rows_accepted, rows_quarantined from file_counts").fetchall()}
    for file, (read, accepted, quarantined) in counts.items():
        assert read == accepted + quarantined
        assert read == manifest["rows"][file]
        assert quarantined == manifest["dirty_rows"][file], file
