"""Synthea CSV reader on the synthea-ca59 export (59 synthetic patients), and on a derived copy with
azathioprine added by the test (the real data has none)."""

from __future__ import annotations

import csv

import pytest

from formats_testlib import (SYNTHEA_CSV, Codelists, analytes_with_units, assert_reconciled, copy_tree, need,
                             read_out)
from pipelines.lib.formats import convert, detect_format


def _count(path) -> int:
    with open(path, newline="", encoding="utf-8") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def test_detects_synthea():
    assert detect_format(need(SYNTHEA_CSV)) == "synthea"


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    dest = tmp_path_factory.mktemp("synthea") / "out"
    return convert(need(SYNTHEA_CSV), "synthea", dest), read_out(dest)


def test_loads_with_reconciled_counts(converted):
    src = SYNTHEA_CSV
    report, out = converted
    assert_reconciled(report)
    by = {t.source: t for t in report.tables}
    for name in ("patients", "medications", "observations", "conditions", "encounters", "organizations"):
        assert by[f"{name}.csv"].rows_read == _count(src / f"{name}.csv"), name
    assert by["patients.csv"].rows_mapped == 59
    assert by["medications.csv"].rows_mapped == 1772
    assert by["observations.csv"].rows_mapped == 21697
    assert by["encounters.csv"].rows_mapped == 2300      # ambulatory + outpatient + wellness
    assert by["conditions.csv"].rows_mapped == 8         # 4 sepsis / septic shock, 4 pneumonia
    assert report.rows_written == {k: len(v) for k, v in out.items()}
    assert all(p["site_id"] for p in out["patients"])   # organization of the most frequent encounter
    types = {e["event_type"] for e in out["events"]}
    assert types == {"clinic_visit", "sepsis", "serious_infection"}


def test_blood_counts_and_liver_tests_map(converted):
    found = analytes_with_units(converted[1]["labs"], Codelists())
    for analyte in ("WBC", "PLATELETS"):
        assert found[analyte] == {"count"}, analyte
    for analyte in ("ALT", "AST"):
        assert found[analyte] == {"enzyme"}, analyte
    assert found["WEIGHT"] == {"weight"}


def test_methotrexate_patient(converted):
    """Patient 4815fd50... takes methotrexate 2011-2015 (README of the data): it comes through by RxNorm code,
    with its strength from the description."""
    rx = [r for r in converted[1]["prescriptions"]
          if r["patient_id"].startswith("4815fd50") and "methotrexate" in r["drug_name"].lower()]
    assert rx and all(r["start_date"][:4] in {"2011", "2012", "2013", "2014", "2015"} for r in rx)
    assert {(r["strength"], r["strength_unit"]) for r in rx} == {("2.5", "mg")}


def test_azathioprine_rows_in_a_derived_copy(tmp_path):
    src = copy_tree(need(SYNTHEA_CSV), tmp_path / "csv")
    patient = "4815fd50-0b7b-8169-4b1f-96ba08a299cc"
    with open(src / "medications.csv", "a", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["2016-01-04T09:00:00Z", "2016-01-31T09:00:00Z", patient, "", "", "197388",
                    "azathioprine 50 MG Oral Tablet", "10.0", "0.0", "1", "10.0", "69896004",
                    "Rheumatoid arthritis"])
        w.writerow(["2016-02-01T09:00:00Z", "", patient, "", "", "1256", "Azathioprine", "10.0", "0.0", "12",
                    "10.0", "", ""])
    report = convert(src, "synthea", tmp_path / "out")
    assert_reconciled(report)
    cl = Codelists()
    aza = [r for r in read_out(tmp_path / "out")["prescriptions"] if cl.is_aza(r)]
    assert len(aza) == 2
    first, second = sorted(aza, key=lambda r: r["start_date"])
    assert (first["patient_id"], first["drug_code"], first["start_date"], first["end_date"]) == \
        (patient, "197388", "2016-01-04", "2016-01-31")
    assert (first["strength"], first["strength_unit"]) == ("50", "mg")
    assert (second["drug_code"], second["end_date"], second["strength"]) == ("1256", "", "")
