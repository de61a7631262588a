"""Synthea CSV export into the canonical extract.

patients -> patients (site: the organization of the patient's most frequent encounter, by NAME from
organizations.csv), medications -> prescriptions (RxNorm CODE, DESCRIPTION, START/STOP; strength from the
description), observations -> labs (LOINC CODE, DESCRIPTION, VALUE, UNITS), encounters of class ambulatory,
outpatient or wellness -> clinic_visit events, conditions that are sepsis or a serious infection -> events.

Synthea rows have no id except patients and encounters: prescription and result ids are `<table>-<line>`
(the record number in the source file, header = 1), stable for the same file.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from ._common import (CanonicalWriter, FormatError, InfectionCodes, MappingReport, find_file, iso_date,
                      iso_datetime, read_csv, read_names, strength_from_name)

CLINIC_CLASSES = {"ambulatory", "outpatient", "wellness"}
SEX = {"m": "M", "f": "F", "male": "M", "female": "F"}


def convert_synthea(src: Path, dest: Path) -> MappingReport:
    patients_p = find_file(src, "patients.csv")
    if patients_p is None:
        raise FormatError(f"{src}: Synthea CSV needs patients.csv")
    report = MappingReport(format="synthea")
    infections = InfectionCodes()

    org_p = find_file(src, "organizations.csv")
    orgs = read_names(report, org_p, "id", "name", "no Id") if org_p else {}

    with CanonicalWriter(dest, report) as out:
        tm = report.table(patients_p.name, "patients.csv")
        for r in read_csv(patients_p):
            pid = r.get("id", "").strip()
            if not pid:
                tm.unmapped("no Id")
                continue
            p = out.patient(pid)
            p["birth_date"] = iso_date(r.get("birthdate")) or ""
            p["death_date"] = iso_date(r.get("deathdate")) or ""
            p["sex"] = SEX.get((r.get("gender") or "").strip().lower(), (r.get("gender") or "").strip())
            tm.mapped()

        enc_p = find_file(src, "encounters.csv")
        if enc_p is not None:
            tm = report.table(enc_p.name, "events.csv (clinic_visit)")
            org_counts: dict[str, Counter] = defaultdict(Counter)
            for r in read_csv(enc_p):
                eid, pid = r.get("id", "").strip(), r.get("patient", "").strip()
                org = (r.get("organization") or "").strip()
                if pid and org:
                    org_counts[pid][org] += 1
                cls = (r.get("encounterclass") or "").strip().lower()
                d = iso_date(r.get("start"))
                if cls not in CLINIC_CLASSES:
                    tm.unmapped("encounter class not a clinic visit")
                elif not eid or not pid:
                    tm.unmapped("no Id or PATIENT")
                elif d is None:
                    tm.unmapped("no START date")
                else:
                    out.write("events", {"event_id": eid, "patient_id": pid, "event_date": d,
                                         "event_type": "clinic_visit", "code": (r.get("code") or "").strip(),
                                         "description": (r.get("description") or "").strip()})
                    tm.mapped()
            for pid, counts in org_counts.items():
                if pid in out.patients:
                    top = max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
                    out.patients[pid]["site_id"] = orgs.get(top, top)

        med_p = find_file(src, "medications.csv")
        if med_p is not None:
            tm = report.table(med_p.name, "prescriptions.csv")
            for line, r in enumerate(read_csv(med_p), start=2):
                pid, name = r.get("patient", "").strip(), (r.get("description") or "").strip()
                code = (r.get("code") or "").strip()
                start = iso_date(r.get("start"))
                if not pid:
                    tm.unmapped("no PATIENT")
                    continue
                if start is None:
                    tm.unmapped("no START date")
                    continue
                if not name and not code:
                    tm.unmapped("no CODE and no DESCRIPTION")
                    continue
                strength, unit = strength_from_name(name)
                out.write("prescriptions", {
                    "prescription_id": f"medications-{line}", "patient_id": pid, "drug_name": name or code,
                    "drug_code": code, "start_date": start, "end_date": iso_date(r.get("stop")),
                    "strength": strength, "strength_unit": unit,
                })
                tm.mapped()

        obs_p = find_file(src, "observations.csv")
        if obs_p is not None:
            tm = report.table(obs_p.name, "labs.csv")
            for line, r in enumerate(read_csv(obs_p), start=2):
                pid = r.get("patient", "").strip()
                when = iso_datetime(r.get("date"))
                value = (r.get("value") or "").strip()
                code, name = (r.get("code") or "").strip(), (r.get("description") or "").strip()
                if not pid:
                    tm.unmapped("no PATIENT")
                elif when is None:
                    tm.unmapped("no DATE")
                elif not value:
                    tm.unmapped("no VALUE")
                elif not code and not name:
                    tm.unmapped("no CODE and no DESCRIPTION")
                else:
                    out.write("labs", {"result_id": f"observations-{line}", "patient_id": pid, "test_code": code,
                                       "test_name": name, "collected_at": when, "value": value,
                                       "unit": (r.get("units") or "").strip()})
                    tm.mapped()

        cond_p = find_file(src, "conditions.csv")
        if cond_p is not None:
            tm = report.table(cond_p.name, "events.csv (sepsis, serious_infection, malignancy, relapse, adverse_reaction)")
            for line, r in enumerate(read_csv(cond_p), start=2):
                pid, code = r.get("patient", "").strip(), (r.get("code") or "").strip()
                name = (r.get("description") or "").strip()
                etype = infections.classify(snomed=code, name=name)
                d = iso_date(r.get("start"))
                if etype is None:
                    tm.unmapped("not an event the audit uses (infection, sepsis, malignancy, relapse, adverse reaction)")
                elif not pid:
                    tm.unmapped("no PATIENT")
                elif d is None:
                    tm.unmapped("no START date")
                else:
                    out.write("events", {"event_id": f"conditions-{line}", "patient_id": pid, "event_date": d,
                                         "event_type": etype, "code": code, "description": name})
                    tm.mapped()

        # procedures: blood transfusions; allergies: to azathioprine (an adverse reaction)
        for filename, prefix, wanted, reason in (
                ("procedures.csv", "procedures", "blood_transfusion", "not a blood transfusion"),
                ("allergies.csv", "allergies", "adverse_reaction", "not an allergy to azathioprine")):
            path = find_file(src, filename)
            if path is None:
                continue
            tm = report.table(path.name, f"events.csv ({wanted})")
            for line, r in enumerate(read_csv(path), start=2):
                pid, code = r.get("patient", "").strip(), (r.get("code") or "").strip()
                name = (r.get("description") or "").strip()
                label = name if wanted == "blood_transfusion" else f"allergy to {name}"
                etype = infections.classify(snomed=code if wanted == "blood_transfusion" else None, name=label)
                d = iso_date(r.get("start") or r.get("date"))
                if etype != wanted:
                    tm.unmapped(reason)
                elif not pid:
                    tm.unmapped("no PATIENT")
                elif d is None:
                    tm.unmapped("no START date")
                else:
                    out.write("events", {"event_id": f"{prefix}-{line}", "patient_id": pid, "event_date": d,
                                         "event_type": etype, "code": code, "description": name})
                    tm.mapped()
    return report
