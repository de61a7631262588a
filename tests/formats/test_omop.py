"""OMOP CDM v5.4 reader on the Eunomia Synthea27Nj data (real ETL-Synthea output), and on derived copies with
azathioprine and TPMT rows added by the test (the real data has neither)."""

from __future__ import annotations

import csv

import pytest

from formats_testlib import (EUNOMIA, Codelists, analytes_with_units, assert_reconciled, copy_tree, need,
                             read_out, read_rows)
from pipelines.lib.formats import FormatError, convert, detect_format


def _append(path, rows):
    with open(path, newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    with open(path, "a", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        for r in rows:
            w.writerow([r.get(c, "") for c in header])


def _lines(path) -> int:
    with open(path, newline="", encoding="utf-8") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def test_detects_omop():
    assert detect_format(need(EUNOMIA)) == "omop"


def test_eunomia_loads_with_reconciled_counts(tmp_path):
    src = need(EUNOMIA)
    report = convert(src, "omop", tmp_path / "out")
    assert_reconciled(report)
    by = {t.source.upper(): t for t in report.tables}
    for table in ("PERSON", "DRUG_EXPOSURE", "MEASUREMENT", "VISIT_OCCURRENCE", "CONDITION_OCCURRENCE", "DEATH",
                  "OBSERVATION_PERIOD"):
        assert by[f"{table}.CSV"].rows_read == _lines(src / f"{table}.csv"), table
    assert by["PERSON.CSV"].rows_mapped == 28
    assert by["DRUG_EXPOSURE.CSV"].rows_mapped == 883
    # SNOMED screening procedures without a value are the only measurements left out
    assert by["MEASUREMENT.CSV"].unmapped_reasons == {"no value": 885}
    assert by["VISIT_OCCURRENCE.CSV"].rows_mapped == 1722  # outpatient visits (9202)
    out = read_out(tmp_path / "out")
    assert report.rows_written == {k: len(v) for k, v in out.items()}
    assert len(out["patients"]) == 28 and sum(1 for p in out["patients"] if p["death_date"]) == 3
    assert {p["sex"] for p in out["patients"]} <= {"M", "F"}
    assert all(p["birth_date"][:4].isdigit() for p in out["patients"])
    assert {e["event_type"] for e in out["events"]} == {"clinic_visit"}


def test_eunomia_blood_counts_and_liver_tests_map(tmp_path):
    convert(need(EUNOMIA), "omop", tmp_path / "out")
    labs = read_out(tmp_path / "out")["labs"]
    found = analytes_with_units(labs, Codelists())
    for analyte in ("WBC", "PLATELETS"):
        assert found[analyte] == {"count"}, analyte      # 10*3/uL from the UCUM unit concept
    for analyte in ("ALT", "AST", "ALP"):
        assert found[analyte] == {"enzyme"}, analyte     # U/L from unit_source_value (unit_concept_id 0)
    assert found["WEIGHT"] == {"weight"}
    wbc = next(r for r in labs if r["test_code"] == "6690-2")
    assert wbc["test_name"].startswith("Leukocytes") and float(wbc["value"]) > 0


def test_drug_names_and_codes_from_concept(tmp_path):
    convert(need(EUNOMIA), "omop", tmp_path / "out")
    rx = read_out(tmp_path / "out")["prescriptions"]
    hctz = [r for r in rx if r["drug_code"] == "310798"]
    assert len(hctz) == 103 and hctz[0]["drug_name"] == "hydrochlorothiazide 25 MG Oral Tablet"
    assert hctz[0]["strength"] == "25" and hctz[0]["strength_unit"] == "mg"
    # quantity is 0 throughout Eunomia: unknown, not zero (zero would be quarantined)
    assert all(r["quantity"] == "" for r in rx)
    assert not any(Codelists().is_aza(r) for r in rx)


AZA_ROWS = [
    # 50 mg tablets by product concept, 56 tablets for 28 days
    {"drug_exposure_id": "900001", "person_id": "1", "drug_concept_id": "19014880",
     "drug_exposure_start_date": "2021-01-04", "drug_exposure_end_date": "2021-01-31", "quantity": "56",
     "days_supply": "28", "drug_type_concept_id": "38000177", "drug_source_value": "197388"},
    # the ingredient concept, as some ETLs record it
    {"drug_exposure_id": "900002", "person_id": "1", "drug_concept_id": "19014878",
     "drug_exposure_start_date": "2021-02-01", "drug_exposure_end_date": "2021-02-28", "quantity": "0",
     "days_supply": "28", "drug_type_concept_id": "38000177", "drug_source_value": "1256"},
    # a branded product (Azamune) with a source value only: the name and the concept list give it away
    {"drug_exposure_id": "900003", "person_id": "2", "drug_concept_id": "19007421",
     "drug_exposure_start_date": "2021-03-01", "drug_exposure_end_date": "", "quantity": "84",
     "days_supply": "42", "drug_type_concept_id": "38000177", "drug_source_value": ""},
]


def test_azathioprine_rows_in_a_derived_copy(tmp_path):
    src = copy_tree(need(EUNOMIA), tmp_path / "omop")
    _append(src / "DRUG_EXPOSURE.csv", AZA_ROWS)
    # DRUG_STRENGTH gives the 50 mg of concept 19014880 (8576 = milligram, in Eunomia's CONCEPT)
    _append(src / "DRUG_STRENGTH.csv", [{"drug_concept_id": "19014880", "ingredient_concept_id": "19014878",
                                         "amount_value": "50", "amount_unit_concept_id": "8576",
                                         "valid_start_date": "1970-01-01", "valid_end_date": "2099-12-31"}])
    report = convert(src, "omop", tmp_path / "out")
    assert_reconciled(report)
    rx = {r["prescription_id"]: r for r in read_out(tmp_path / "out")["prescriptions"]}
    cl = Codelists()
    aza = {k: r for k, r in rx.items() if cl.is_aza(r)}
    assert set(aza) == {"900001", "900002", "900003"}
    a = aza["900001"]
    assert (a["drug_name"], a["drug_code"]) == ("Azathioprine 50 MG Oral Tablet", "197388")
    assert (a["start_date"], a["end_date"], a["days_supply"]) == ("2021-01-04", "2021-01-31", "28")
    assert (a["strength"], a["strength_unit"], a["quantity"]) == ("50", "mg", "56")
    b = aza["900002"]
    assert (b["drug_code"], b["quantity"], b["days_supply"], b["strength"]) == ("1256", "", "28", "")
    c = aza["900003"]
    assert c["drug_code"] == "105609" and "Azamune" in c["drug_name"]
    assert (c["strength"], c["quantity"], c["days_supply"]) == ("50", "84", "42")


def test_ancestor_rollup_for_a_product_named_otherwise(tmp_path):
    """A product whose name and code are not in the codelist is still azathioprine when CONCEPT_ANCESTOR
    says so: it is written with the ingredient code."""
    src = copy_tree(need(EUNOMIA), tmp_path / "omop")
    _append(src / "CONCEPT.csv", [{"concept_id": "2000000101", "concept_name": "Local thiopurine 50 MG tablet",
                                   "domain_id": "Drug", "vocabulary_id": "RxNorm Extension",
                                   "concept_class_id": "Clinical Drug", "standard_concept": "S",
                                   "concept_code": "OMOP9999"}])
    (src / "CONCEPT_ANCESTOR.csv").write_text(
        "ancestor_concept_id,descendant_concept_id,min_levels_of_separation,max_levels_of_separation\n"
        "19014878,2000000101,1,1\n", encoding="utf-8")
    _append(src / "DRUG_EXPOSURE.csv", [{**AZA_ROWS[0], "drug_exposure_id": "900010",
                                        "drug_concept_id": "2000000101", "drug_source_value": ""}])
    report = convert(src, "omop", tmp_path / "out")
    assert_reconciled(report)
    row = next(r for r in read_out(tmp_path / "out")["prescriptions"] if r["prescription_id"] == "900010")
    assert row["drug_code"] == "1256" and row["drug_name"] == "Local thiopurine 50 MG tablet"
    assert row["strength"] == "50"


def test_tpmt_text_result_from_value_concept_lower_case_tsv(tmp_path):
    """Lower-case, tab-separated table files; a TPMT phenotype as value_as_concept_id; an infection."""
    src = tmp_path / "omop"
    src.mkdir()
    for name in ("PERSON", "CONCEPT", "DRUG_EXPOSURE", "MEASUREMENT", "CONDITION_OCCURRENCE"):
        rows = read_rows(need(EUNOMIA) / f"{name}.csv")
        header = list(rows[0].keys())
        if name == "CONCEPT":
            rows.append({**rows[0], "concept_id": "2000000201", "concept_name": "TPMT gene product phenotype",
                         "vocabulary_id": "LOINC", "concept_code": "62365-2", "domain_id": "Measurement"})
            rows.append({**rows[0], "concept_id": "2000000202", "concept_name": "Intermediate metabolizer",
                         "vocabulary_id": "LOINC", "concept_code": "LA25391-6", "domain_id": "Meas Value"})
        if name == "MEASUREMENT":
            rows.append({**{c: "" for c in header}, "measurement_id": "990001", "person_id": "2",
                         "measurement_concept_id": "2000000201", "measurement_date": "2021-01-02",
                         "value_as_concept_id": "2000000202", "unit_concept_id": "0"})
        if name == "CONDITION_OCCURRENCE":
            rows.append({**{c: "" for c in header}, "condition_occurrence_id": "990002", "person_id": "2",
                         "condition_concept_id": "0", "condition_start_date": "2021-05-06",
                         "condition_source_value": "A41.9"})
        with open(src / f"{name.lower()}.tsv", "w", encoding="utf-8", newline="") as fh:
            fh.write("\t".join(header) + "\n")
            for r in rows:
                fh.write("\t".join((r.get(c) or "").replace("\t", " ") for c in header) + "\n")
    assert detect_format(src) == "omop"
    report = convert(src, "omop", tmp_path / "out")
    assert_reconciled(report)
    out = read_out(tmp_path / "out")
    tpmt = next(r for r in out["labs"] if r["result_id"] == "990001")
    assert (tpmt["test_code"], tpmt["value"]) == ("62365-2", "Intermediate metabolizer")
    assert Codelists().analyte(tpmt) == "TPMT_PHENOTYPE"
    sepsis = [e for e in out["events"] if e["event_type"] == "sepsis"]
    assert [(e["patient_id"], e["event_date"], e["code"]) for e in sepsis] == [("2", "2021-05-06", "A41.9")]


def test_missing_person_table_is_a_format_error(tmp_path):
    src = tmp_path / "x"
    src.mkdir()
    (src / "DRUG_EXPOSURE.csv").write_text("drug_exposure_id,person_id\n", encoding="utf-8")
    with pytest.raises(FormatError, match="PERSON"):
        convert(src, "omop", tmp_path / "out")
