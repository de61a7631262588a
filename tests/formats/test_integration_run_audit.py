"""End to end: run_audit on a derived copy of the Eunomia OMOP data with azathioprine added by the test
(person 11, 13 four-weekly prescriptions of 56 x 50 mg from 2005-02-26), so that the rules run on the
person's real blood count and liver test timeline: CBC and LFT on 2005-02-26, a CBC only on 2005-10-03, then
nothing until 2006-02-27."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest

from formats_testlib import EUNOMIA, copy_tree, need, read_rows

cli = pytest.importorskip("pipelines.cli", reason="pipelines.cli (run_audit) not available yet")


@pytest.mark.slow
def test_eunomia_with_azathioprine(tmp_path):
    src = copy_tree(need(EUNOMIA), tmp_path / "omop")
    path = src / "DRUG_EXPOSURE.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    start = date(2005, 2, 26)
    with open(path, "a", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n", restval="")
        for i in range(13):
            s = start + timedelta(days=28 * i)
            w.writerow({"drug_exposure_id": str(800000 + i), "person_id": "11", "drug_concept_id": "19014880",
                        "drug_exposure_start_date": s.isoformat(),
                        "drug_exposure_end_date": (s + timedelta(days=27)).isoformat(),
                        "drug_type_concept_id": "38000177", "quantity": "56", "days_supply": "28"})
    out = tmp_path / "report"
    status = cli.run_audit(src, out=out, as_of=date(2006, 6, 30), db=tmp_path / "audit.duckdb", fmt="omop",
                           quiet=True)
    assert status == 0
    findings = read_rows(out / "findings.csv")
    got = {(f["rule_id"], f["test"], f["key_date"]) for f in findings if f["patient_id"] == "11"}
    assert ("TPMT_NOT_TESTED", "", "2005-02-26") in got
    assert not any(r == "BASELINE_BLOODS_MISSING" for r, _, _ in got)   # CBC and LFT on the start day
    for test in ("CBC", "LFT"):
        for week_start in ("2005-03-05", "2005-03-12", "2005-03-19"):
            assert ("INDUCTION_MONITORING_GAP", test, week_start) in got
        assert ("INDUCTION_MONITORING_GAP", test, "2005-02-26") not in got
    assert ("MAINTENANCE_MONITORING_GAP", "CBC", "2005-02-26") in got   # to the CBC of 2005-10-03
    assert ("MAINTENANCE_MONITORING_GAP", "CBC", "2005-10-03") in got   # to the episode end
    assert ("MAINTENANCE_MONITORING_GAP", "LFT", "2005-02-26") in got   # no LFT in the whole maintenance
    assert {f["patient_id"] for f in findings} == {"11"}


@pytest.mark.slow
def test_eunomia_with_a_local_tpmt_name_finds_the_tpmt_result(tmp_path):
    """A MEASUREMENT with concept 0 and the lab's own name in measurement_source_value ("TPMT activity")
    is read by its name: the patient was tested, so TPMT_NOT_TESTED does not fire (it did in version 1)."""
    src = copy_tree(need(EUNOMIA), tmp_path / "omop")
    start = date(2005, 2, 26)
    for table, row in (
        ("DRUG_EXPOSURE.csv", {"drug_exposure_id": "800000", "person_id": "11", "drug_concept_id": "19014880",
                               "drug_exposure_start_date": start.isoformat(),
                               "drug_exposure_end_date": (start + timedelta(days=27)).isoformat(),
                               "drug_type_concept_id": "38000177", "quantity": "56", "days_supply": "28"}),
        ("MEASUREMENT.csv", {"measurement_id": "990100", "person_id": "11", "measurement_concept_id": "0",
                             "measurement_date": "2005-02-01", "measurement_type_concept_id": "44818702",
                             "value_as_number": "45", "unit_source_value": "mU/L",
                             "measurement_source_value": "TPMT activity"}),
    ):
        path = src / table
        with open(path, newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        with open(path, "a", newline="", encoding="utf-8") as fh:
            csv.DictWriter(fh, fieldnames=header, lineterminator="\n", restval="").writerow(row)
    out = tmp_path / "report"
    assert cli.run_audit(src, out=out, as_of=date(2006, 6, 30), db=tmp_path / "audit.duckdb", quiet=True) == 0
    rules = {f["rule_id"] for f in read_rows(out / "findings.csv") if f["patient_id"] == "11"}
    assert "TPMT_NOT_TESTED" not in rules and "TPMT_TESTED_LATE" not in rules
    import duckdb

    con = duckdb.connect(str(tmp_path / "audit.duckdb"), read_only=True)
    phenotypes = con.execute("select phenotype from tpmt_results where patient_id = '11'").fetchall()
    con.close()
    assert phenotypes == [("intermediate",)]
