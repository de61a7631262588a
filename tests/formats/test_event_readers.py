"""The readers map the events the version-2 rules use where the format carries them (CONTRACT.md events):
blood transfusions (procedures), malignancy and MS relapse (conditions), an adverse reaction to azathioprine
(allergies and intolerances). Each on a copy of the real third-party data with rows the test adds."""

from __future__ import annotations

import csv
import gzip
import json

from formats_testlib import EUNOMIA, MIMIC, SYNTHEA_CSV, assert_reconciled, copy_tree, need, read_out
from test_fhir import _bundle, _patient

from pipelines.lib.formats import convert


def _events(dest):
    return sorted((e["patient_id"], e["event_date"], e["event_type"]) for e in read_out(dest)["events"]
                  if e["event_type"] in ("blood_transfusion", "malignancy", "relapse", "adverse_reaction"))


def test_synthea_procedures_and_allergies(tmp_path):
    src = copy_tree(need(SYNTHEA_CSV), tmp_path / "csv")
    pid = next(csv.DictReader(open(src / "patients.csv", encoding="utf-8")))["Id"]
    (src / "procedures.csv").write_text(
        "START,STOP,PATIENT,ENCOUNTER,SYSTEM,CODE,DESCRIPTION,BASE_COST,REASONCODE,REASONDESCRIPTION\n"
        f"2020-03-01T10:00:00Z,,{pid},,SNOMED-CT,116859006,Transfusion of blood product (procedure),1,,\n"
        f"2020-04-01T10:00:00Z,,{pid},,SNOMED-CT,73761001,Colonoscopy,1,,\n", encoding="utf-8")
    (src / "allergies.csv").write_text(
        "START,STOP,PATIENT,ENCOUNTER,CODE,SYSTEM,DESCRIPTION,TYPE,CATEGORY\n"
        f"2021-05-02,,{pid},,1256,RxNorm,Azathioprine,intolerance,medication\n"
        f"2021-05-03,,{pid},,7980,RxNorm,Penicillin G,allergy,medication\n", encoding="utf-8")
    with open(src / "conditions.csv", "a", encoding="utf-8", newline="") as fh:
        fh.write(f"2022-01-10,,{pid},,254837009,Malignant neoplasm of breast (disorder)\n")
        fh.write(f"2022-02-10,,{pid},,38341003,Malignant hypertension\n")
    report = convert(src, "synthea", tmp_path / "out")
    assert_reconciled(report)
    assert _events(tmp_path / "out") == [(pid, "2020-03-01", "blood_transfusion"),
                                         (pid, "2021-05-02", "adverse_reaction"),
                                         (pid, "2022-01-10", "malignancy")]
    by = {t.source: t for t in report.tables}
    assert by["procedures.csv"].unmapped_reasons == {"not a blood transfusion": 1}
    assert by["allergies.csv"].unmapped_reasons == {"not an allergy to azathioprine": 1}


def test_omop_procedure_occurrence_and_conditions(tmp_path):
    src = copy_tree(need(EUNOMIA), tmp_path / "omop")
    (src / "PROCEDURE_OCCURRENCE.csv").write_text(
        "procedure_occurrence_id,person_id,procedure_concept_id,procedure_date,procedure_datetime,"
        "procedure_type_concept_id,procedure_source_value,procedure_source_concept_id\n"
        "900001,1,0,2019-06-01,,32817,116859006,0\n"
        "900002,1,0,2019-06-02,,32817,73761001,0\n", encoding="utf-8")
    with open(src / "CONDITION_OCCURRENCE.csv", "a", encoding="utf-8", newline="") as fh:
        fh.write("900003,1,0,2020-01-05,,,,32817,,,,,,C50.9,0,\n")
    report = convert(src, "omop", tmp_path / "out")
    assert_reconciled(report)
    assert _events(tmp_path / "out") == [("1", "2019-06-01", "blood_transfusion"), ("1", "2020-01-05", "malignancy")]


def test_fhir_procedure_allergy_and_condition(tmp_path):
    src = tmp_path / "fhir"
    src.mkdir()
    org = {"resourceType": "Organization", "id": "org-1", "name": "North MS Clinic"}
    snomed = "http://snomed.info/sct"
    entries = [
        ("urn:uuid:p1", _patient("p-1")), ("urn:uuid:o1", org),
        ("urn:uuid:x1", {"resourceType": "Procedure", "id": "tx-1", "status": "completed",
                         "subject": {"reference": "Patient/p-1"}, "performedDateTime": "2021-03-04T10:00:00Z",
                         "code": {"coding": [{"system": snomed, "code": "71493000",
                                              "display": "Transfusion of red blood cells"}]}}),
        ("urn:uuid:x2", {"resourceType": "Procedure", "id": "tx-2", "status": "not-done",
                         "subject": {"reference": "Patient/p-1"}, "performedDateTime": "2021-03-05",
                         "code": {"text": "Blood transfusion"}}),
        ("urn:uuid:x3", {"resourceType": "AllergyIntolerance", "id": "al-1", "patient": {"reference": "Patient/p-1"},
                         "recordedDate": "2021-04-01", "code": {"text": "Azathioprine"}}),
        ("urn:uuid:x4", {"resourceType": "Condition", "id": "c-1", "subject": {"reference": "Patient/p-1"},
                         "onsetDateTime": "2021-05-01", "code": {"text": "Relapse of multiple sclerosis"}}),
    ]
    (src / "registry.json").write_text(json.dumps(_bundle(entries)), encoding="utf-8")
    report = convert(src, "fhir", tmp_path / "out")
    assert_reconciled(report)
    assert _events(tmp_path / "out") == [("p-1", "2021-03-04", "blood_transfusion"),
                                         ("p-1", "2021-04-01", "adverse_reaction"), ("p-1", "2021-05-01", "relapse")]
    by = {t.source: t for t in report.tables}
    assert by["Procedure"].unmapped_reasons == {"status not-done or entered-in-error": 1}


def test_mimic_procedures_icd(tmp_path):
    src = tmp_path / "mimic"
    (src / "hosp").mkdir(parents=True)
    for f in (need(MIMIC) / "hosp").iterdir():
        (src / "hosp" / f.name).symlink_to(f)
    with gzip.open(MIMIC / "hosp" / "admissions.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        first = next(csv.DictReader(fh))
    with gzip.open(src / "hosp" / "procedures_icd.csv.gz", "wt", encoding="utf-8", newline="") as fh:
        fh.write("subject_id,hadm_id,seq_num,chartdate,icd_code,icd_version\n")
        fh.write(f"{first['subject_id']},{first['hadm_id']},1,2130-01-02,9904,9\n")
        fh.write(f"{first['subject_id']},{first['hadm_id']},2,2130-01-03,30233N1,10\n")
        fh.write(f"{first['subject_id']},{first['hadm_id']},3,2130-01-04,3893,9\n")
    report = convert(src, "mimic", tmp_path / "out")
    assert_reconciled(report)
    transfusions = [e for e in _events(tmp_path / "out") if e[2] == "blood_transfusion"]
    assert transfusions == [(first["subject_id"], "2130-01-02", "blood_transfusion"),
                            (first["subject_id"], "2130-01-03", "blood_transfusion")]
    # the real diagnoses carry malignancies (ICD-10 C..., ICD-9 140-239 is not mapped: by code only ICD-10)
    assert any(e[2] == "malignancy" for e in _events(tmp_path / "out"))
