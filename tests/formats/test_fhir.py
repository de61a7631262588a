"""FHIR R4 reader on the Synthea transaction bundles (4 patients, plus the hospital and practitioner
bundles), and on bundles and Bulk Data NDJSON written by the test with azathioprine (the real data has none)."""

from __future__ import annotations

import builtins
import json
import shutil

import pytest

from formats_testlib import SYNTHEA_FHIR, Codelists, analytes_with_units, assert_reconciled, need, read_out
from pipelines.lib.formats import convert, detect_format


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    dest = tmp_path_factory.mktemp("fhir") / "out"
    return convert(need(SYNTHEA_FHIR), "fhir", dest), read_out(dest)


def test_detects_fhir():
    assert detect_format(need(SYNTHEA_FHIR)) == "fhir"


def test_bundles_load_with_reconciled_counts(converted):
    report, out = converted
    assert_reconciled(report)
    entries = 0
    for p in SYNTHEA_FHIR.glob("*.json"):
        entries += len(json.loads(p.read_text(encoding="utf-8"))["entry"])
    assert sum(t.rows_read for t in report.tables) == entries
    by = {t.source: t for t in report.tables}
    assert by["Patient"].rows_mapped == 4
    assert by["MedicationRequest"].rows_mapped == 74
    assert by["Observation"].rows_read == 1176
    assert by["Observation"].unmapped_reasons == {"no value (components only)": 76}
    assert by["Organization"].target == "lookup"
    assert by["Claim"].unmapped_reasons == {"resource type not used": 336}
    assert report.rows_written == {k: len(v) for k, v in out.items()}
    deceased = [p for p in out["patients"] if p["death_date"]]
    assert [(p["patient_id"][:8], p["death_date"]) for p in deceased] == [("879505c1", "2002-10-01")]
    assert all(p["site_id"] for p in out["patients"])     # serviceProvider of the most frequent encounter


def test_blood_counts_and_liver_tests_map(converted):
    labs = converted[1]["labs"]
    found = analytes_with_units(labs, Codelists())
    for analyte in ("WBC", "PLATELETS"):
        assert found[analyte] == {"count"}, analyte       # UCUM 10*3/uL
    for analyte in ("ALT", "AST"):
        assert found[analyte] == {"enzyme"}, analyte      # U/L
    assert found["WEIGHT"] == {"weight"}
    # Victoria535 (4815fd50...), on methotrexate 2011-2015, has a blood count (WBC and platelets) in 2013
    cbc = {(r["test_code"], r["collected_at"][:10]) for r in labs if r["patient_id"].startswith("4815fd50")
           and "2011" <= r["collected_at"][:4] <= "2015"}
    assert {("6690-2", "2013-07-16"), ("777-3", "2013-07-16")} <= cbc


def test_daily_dose_from_dosage_instruction(converted):
    rx = [r for r in converted[1]["prescriptions"] if r["drug_code"] == "314231"]  # simvastatin 10 mg, 1 a day
    assert rx and {(r["strength"], r["daily_dose"], r["daily_dose_unit"]) for r in rx} == {("10", "10", "mg")}


# ---- written by the test: azathioprine, TPMT, references of every kind

def _patient(pid, **extra):
    return {"resourceType": "Patient", "id": pid, "gender": "female", "birthDate": "1980-05-06",
            "managingOrganization": {"reference": "Organization/org-1"}, **extra}


def _aza_request(rid, subject, medication, authored="2021-01-04", dose=2, quantity=56, days=28, status="active"):
    return {"resourceType": "MedicationRequest", "id": rid, "status": status, "intent": "order",
            "subject": {"reference": subject}, "authoredOn": authored, **medication,
            "dosageInstruction": [{"sequence": 1, "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
                                   "doseAndRate": [{"doseQuantity": {"value": dose, "unit": "tablet"}}]}],
            "dispenseRequest": {"quantity": {"value": quantity, "unit": "tablet"},
                                "expectedSupplyDuration": {"value": days, "unit": "days",
                                                           "system": "http://unitsofmeasure.org", "code": "d"}}}


RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
MED_50 = {"resourceType": "Medication", "id": "med-aza-50",
          "code": {"coding": [{"system": RXNORM, "code": "197388", "display": "azathioprine 50 MG Oral Tablet"}],
                   "text": "azathioprine 50 MG Oral Tablet"}}
TPMT = {"resourceType": "Observation", "id": "obs-tpmt", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "62365-2", "display": "TPMT phenotype"}]},
        "effectiveDateTime": "2020-12-20T10:00:00+01:00",
        "valueCodeableConcept": {"text": "Intermediate metabolizer"}}


def _bundle(entries):
    return {"resourceType": "Bundle", "type": "transaction",
            "entry": [{"fullUrl": url, "resource": res, "request": {"method": "POST", "url": res["resourceType"]}}
                      for url, res in entries]}


def test_azathioprine_in_a_transaction_bundle(tmp_path):
    src = tmp_path / "fhir"
    src.mkdir()
    org = {"resourceType": "Organization", "id": "org-1", "name": "North MS Clinic"}
    contained = {"medicationReference": {"reference": "#m1"},
                 "contained": [{"resourceType": "Medication", "id": "m1",
                                "code": {"coding": [{"system": RXNORM, "code": "1256", "display": "azathioprine"}]},
                                "ingredient": [{"itemCodeableConcept": {"text": "azathioprine"},
                                                "strength": {"numerator": {"value": 25, "unit": "mg"},
                                                             "denominator": {"value": 1, "unit": "tablet"}}}]}]}
    entries = [
        ("urn:uuid:11111111-0000-0000-0000-000000000001", _patient("p-1")),
        ("urn:uuid:11111111-0000-0000-0000-0000000000aa", org),
        ("urn:uuid:11111111-0000-0000-0000-000000000050", MED_50),
        ("urn:uuid:r1", _aza_request("rx-1", "urn:uuid:11111111-0000-0000-0000-000000000001",
                                     {"medicationReference": {"reference": "urn:uuid:11111111-0000-0000-0000-000000000050"}})),
        ("urn:uuid:r2", _aza_request("rx-2", "Patient/p-1", contained, authored="2021-02-01", dose=3, quantity=84)),
        ("urn:uuid:r3", _aza_request("rx-3", "urn:uuid:11111111-0000-0000-0000-000000000001",
                                     {"medicationCodeableConcept": MED_50["code"]}, authored="2021-03-01",
                                     status="entered-in-error")),
        ("urn:uuid:d1", {"resourceType": "MedicationDispense", "id": "disp-1", "status": "completed",
                         "subject": {"reference": "Patient/p-1"}, "whenHandedOver": "2021-01-05T09:30:00Z",
                         "medicationReference": {"reference": "Medication/med-aza-50"},
                         "quantity": {"value": 56}, "daysSupply": {"value": 28, "unit": "d"}}),
        ("urn:uuid:o1", {**TPMT, "subject": {"reference": "urn:uuid:11111111-0000-0000-0000-000000000001"}}),
        ("urn:uuid:x1", {"resourceType": "Observation", "id": "obs-nosubject", "status": "final",
                         "code": {"text": "WBC"}, "valueQuantity": {"value": 5}}),
    ]
    (src / "registry.json").write_text(json.dumps(_bundle(entries)), encoding="utf-8")
    assert detect_format(src) == "fhir"
    report = convert(src, "fhir", tmp_path / "out")
    assert_reconciled(report)
    by = {t.source: t for t in report.tables}
    assert by["Observation"].unmapped_reasons == {"no patient subject": 1}
    out = read_out(tmp_path / "out")
    assert out["patients"] == [{"patient_id": "p-1", "site_id": "North MS Clinic", "birth_date": "1980-05-06",
                                "sex": "F", "ms_course": "", "death_date": ""}]
    rx = {r["prescription_id"]: r for r in out["prescriptions"]}
    cl = Codelists()
    assert all(cl.is_aza(r) for r in rx.values()) and set(rx) == {"rx-1", "rx-2", "rx-3",
                                                                    "MedicationDispense/disp-1"}
    a = rx["rx-1"]
    assert (a["patient_id"], a["drug_code"], a["start_date"]) == ("p-1", "197388", "2021-01-04")
    assert (a["strength"], a["quantity"], a["days_supply"], a["daily_dose"], a["daily_dose_unit"]) == \
        ("50", "56", "28", "100", "mg")
    b = rx["rx-2"]
    assert (b["drug_code"], b["strength"], b["daily_dose"], b["quantity"]) == ("1256", "25", "75", "84")
    assert rx["rx-3"]["status"] == "entered-in-error"
    d = rx["MedicationDispense/disp-1"]
    assert (d["start_date"], d["quantity"], d["days_supply"], d["strength"]) == ("2021-01-05", "56", "28", "50")
    tpmt = out["labs"][0]
    assert (tpmt["patient_id"], tpmt["test_code"], tpmt["value"], tpmt["collected_at"]) == \
        ("p-1", "62365-2", "Intermediate metabolizer", "2020-12-20 10:00:00")
    assert cl.analyte(tpmt) == "TPMT_PHENOTYPE"


def test_bulk_ndjson_is_streamed(tmp_path, monkeypatch):
    src = tmp_path / "bulk"
    src.mkdir()

    def nd(name, resources):
        (src / name).write_text("".join(json.dumps(r) + "\n" for r in resources), encoding="utf-8")

    # file order on disk puts requests before their Medication and Patient: the reader orders them
    nd("1.MedicationRequest.ndjson", [
        _aza_request("rx-1", "Patient/123", {"medicationReference": {"reference": "Medication/med-aza-50"}}),
        _aza_request("rx-2", "Patient/123/_history/2", {"medicationReference": {"reference": "Medication/missing"}})])
    nd("2.Observation.ndjson", [{**TPMT, "subject": {"reference": "https://fhir.example.org/r4/Patient/123"}}] + [
        {"resourceType": "Observation", "id": f"wbc-{i}", "status": "final", "subject": {"reference": "Patient/123"},
         "code": {"coding": [{"system": "http://loinc.org", "code": "6690-2"}], "text": "Leukocytes"},
         "effectiveDateTime": f"2021-0{i}-15", "valueQuantity": {"value": 4.5 + i, "unit": "10*9/L"}}
        for i in range(1, 6)])
    nd("3.Medication.ndjson", [MED_50])
    nd("4.Patient.ndjson", [_patient("123", deceasedDateTime="2023-04-05T00:00:00Z")])
    (src / "4.Patient.ndjson").write_text((src / "4.Patient.ndjson").read_text() + "{not json\n", encoding="utf-8")
    nd("5.Condition.ndjson", [{"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/123"},
                               "code": {"coding": [{"system": "http://snomed.info/sct", "code": "91302008",
                                                    "display": "Sepsis (disorder)"}]},
                               "onsetDateTime": "2021-05-20"}])
    assert detect_format(src) == "fhir"

    real_load = json.load

    def no_whole_load(*a, **k):
        raise AssertionError("NDJSON must be streamed line by line, not loaded whole")

    monkeypatch.setattr(json, "load", no_whole_load)
    report = convert(src, "fhir", tmp_path / "out")
    monkeypatch.setattr(json, "load", real_load)
    assert_reconciled(report)
    by = {t.source: t for t in report.tables}
    assert by["4.Patient.ndjson"].unmapped_reasons == {"unparseable JSON line": 1}
    assert by["MedicationRequest"].unmapped_reasons == {"medication not given or reference not resolved": 1}
    out = read_out(tmp_path / "out")
    assert out["patients"][0]["death_date"] == "2023-04-05"
    assert [r["prescription_id"] for r in out["prescriptions"]] == ["rx-1"]
    assert out["prescriptions"][0]["daily_dose"] == "100"
    assert len(out["labs"]) == 6 and {r["patient_id"] for r in out["labs"]} == {"123"}
    assert [(e["event_type"], e["event_date"]) for e in out["events"]] == [("sepsis", "2021-05-20")]


def test_a_real_bundle_copy_keeps_its_counts(tmp_path):
    """One real bundle alone (urn:uuid references only) gives the same rows for its patient as all four."""
    src = tmp_path / "one"
    src.mkdir()
    shutil.copy(need(SYNTHEA_FHIR) / "Victoria535_Rubio813_4815fd50-0b7b-8169-4b1f-96ba08a299cc.json", src)
    report = convert(src, "fhir", tmp_path / "out")
    assert_reconciled(report)
    out = read_out(tmp_path / "out")
    assert [p["patient_id"] for p in out["patients"]] == ["4815fd50-0b7b-8169-4b1f-96ba08a299cc"]
    assert any("methotrexate" in r["drug_name"].lower() for r in out["prescriptions"])
