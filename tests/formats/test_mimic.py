"""MIMIC-IV hosp reader on the MIMIC-IV Clinical Database Demo 2.2 (100 real de-identified patients, dates
shifted into 2110-2201), and on a derived copy with azathioprine added by the test (the real data has none)."""

from __future__ import annotations

import csv
import gzip
import io

import pytest

from formats_testlib import MIMIC, Codelists, analytes_with_units, assert_reconciled, need, read_out
from pipelines.lib.formats import convert, detect_format


def _count(path) -> int:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def test_detects_mimic_root_and_hosp():
    assert detect_format(need(MIMIC)) == "mimic"
    assert detect_format(MIMIC / "hosp") == "mimic"


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    dest = tmp_path_factory.mktemp("mimic") / "out"
    return convert(need(MIMIC), "mimic", dest), read_out(dest)


def test_loads_with_reconciled_counts(converted):
    hosp = MIMIC / "hosp"
    report, out = converted
    assert_reconciled(report)
    by = {t.source: t for t in report.tables}
    for name in ("patients", "admissions", "prescriptions", "labevents", "d_labitems", "omr", "diagnoses_icd"):
        assert by[f"{name}.csv.gz"].rows_read == _count(hosp / f"{name}.csv.gz"), name
    assert by["patients.csv.gz"].rows_mapped == 100
    assert by["prescriptions.csv.gz"].rows_mapped == 18087
    assert by["labevents.csv.gz"].rows_read == 107727
    assert by["labevents.csv.gz"].unmapped_reasons == {"no value": 9588}
    # sepsis and serious infection ICD-9/10 codes (98), and ICD-10 malignant neoplasms (C..., 42)
    assert by["diagnoses_icd.csv.gz"].rows_mapped == 98 + 42
    assert report.rows_written == {k: len(v) for k, v in out.items()}
    assert {e["event_type"] for e in out["events"]} == {"sepsis", "serious_infection", "malignancy"}
    assert sum(e["event_type"] in ("sepsis", "serious_infection") for e in out["events"]) == 98
    years = {int(r["collected_at"][:4]) for r in out["labs"]}
    assert 2100 <= min(years) and max(years) <= 2210       # shifted dates pass through untouched


def test_blood_counts_and_liver_tests_map(converted):
    labs = converted[1]["labs"]
    cl = Codelists()
    found = analytes_with_units(labs, cl)
    for analyte in ("WBC", "PLATELETS"):
        assert found[analyte] == {"count"}, analyte              # K/uL
    for analyte in ("ALT", "AST"):
        assert found[analyte] == {"enzyme"}, analyte             # IU/L
    assert found["WEIGHT"] == {"weight"}                          # omr "Weight (Lbs)" in lb
    alt = next(r for r in labs if r["test_code"] == "50861")
    assert alt["test_name"] == "Alanine Aminotransferase (ALT)" and alt["unit"] == "IU/L"
    # a urine WBC is not a blood count
    urine = [r for r in labs if r["test_code"] == "51516"]
    assert urine and all(cl.analyte(r) is None for r in urine)


def test_azathioprine_rows_in_a_derived_copy(tmp_path):
    src = tmp_path / "mimic"
    (src / "hosp").mkdir(parents=True)
    for f in (need(MIMIC) / "hosp").iterdir():       # the real tables, read in place, but prescriptions
        if f.name != "prescriptions.csv.gz":
            (src / "hosp" / f.name).symlink_to(f)
    path = src / "hosp" / "prescriptions.csv.gz"
    with gzip.open(MIMIC / "hosp" / path.name, "rt", encoding="utf-8", newline="") as fh:
        text = fh.read()
    header = next(csv.reader(io.StringIO(text)))
    extra = io.StringIO()
    w = csv.DictWriter(extra, fieldnames=header, lineterminator="\n")
    w.writerow({"subject_id": "10014729", "hadm_id": "", "pharmacy_id": "99000001", "starttime": "2125-03-01 08:00:00",
                "stoptime": "2125-03-28 20:00:00", "drug_type": "MAIN", "drug": "Azathioprine",
                "formulary_drug_cd": "AZAT50", "gsn": "009451", "ndc": "00054408425", "prod_strength": "50mg Tablet",
                "form_rx": "", "dose_val_rx": "100", "dose_unit_rx": "mg", "form_val_disp": "2",
                "form_unit_disp": "TAB", "doses_per_24_hrs": "1", "route": "PO"})
    w.writerow({"subject_id": "10014729", "pharmacy_id": "99000002", "starttime": "2125-04-01 08:00:00",
                "stoptime": "", "drug_type": "MAIN", "drug": "Imuran", "prod_strength": "25mg Tablet",
                "dose_val_rx": "0.075", "dose_unit_rx": "g", "doses_per_24_hrs": "2", "route": "PO"})
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        fh.write(text if text.endswith("\n") else text + "\n")
        fh.write(extra.getvalue())
    report = convert(src, "mimic", tmp_path / "out")
    assert_reconciled(report)
    assert {t.source: t for t in report.tables}["prescriptions.csv.gz"].rows_read == 18089
    cl = Codelists()
    aza = sorted((r for r in read_out(tmp_path / "out")["prescriptions"] if cl.is_aza(r)),
                 key=lambda r: r["start_date"])
    assert len(aza) == 2
    a, b = aza
    assert (a["patient_id"], a["start_date"], a["end_date"]) == ("10014729", "2125-03-01", "2125-03-28")
    assert (a["strength"], a["strength_unit"], a["daily_dose"], a["daily_dose_unit"]) == ("50", "mg", "100", "mg")
    assert a["drug_code"] == "00054408425"
    assert (b["strength"], b["daily_dose"], b["end_date"]) == ("25", "150", "")
