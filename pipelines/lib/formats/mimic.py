"""MIMIC-IV hospital module (hosp/*.csv.gz, or uncompressed .csv) into the canonical extract.

patients -> patients (birth date approximated as 1 January of anchor_year - anchor_age; dod),
prescriptions -> prescriptions (drug, NDC else GSN as code, starttime/stoptime, strength from prod_strength,
daily dose = dose_val_rx x doses_per_24_hrs when the dose unit is a mass), labevents + d_labitems -> labs
(LOINC when d_labitems has it, else the itemid as test_code; the label as test_name, prefixed by the fluid
when it is not blood, so that e.g. a urine WBC is not read as a blood count), omr -> labs (`Weight (Lbs)` in
lb and the other vitals), diagnoses_icd with a sepsis or serious infection ICD code -> events dated at the
admission (admissions.admittime). pharmacy and emar are not read. Dates stay shifted (2110-2201).
"""

from __future__ import annotations

import re
from pathlib import Path

from ._common import (CanonicalWriter, FormatError, InfectionCodes, MappingReport, find_table, iso_date,
                      iso_datetime, int_or_none, mass_to_mg, num, read_csv, strength_from_name)

EXTS = (".csv.gz", ".csv")
SEX = {"m": "M", "f": "F"}
_OMR_UNIT = re.compile(r"\(([^)]*)\)\s*$")
OMR_UNITS = {"lbs": "lb", "inches": "[in_i]", "kg/m2": "kg/m2"}
BLOOD_FLUIDS = {"blood", ""}


def convert_mimic(src: Path, dest: Path) -> MappingReport:
    from . import mimic_dir
    hosp = mimic_dir(src)
    if hosp is None:
        raise FormatError(f"{src}: MIMIC-IV needs patients, labevents and d_labitems (.csv.gz or .csv), "
                          f"in this folder or in hosp/")
    report = MappingReport(format="mimic")
    infections = InfectionCodes()

    def t(name: str) -> Path | None:
        return find_table(hosp, name, EXTS)

    labitems: dict[str, tuple[str, str]] = {}
    p = t("d_labitems")
    tm = report.table(p.name, "lookup")
    for r in read_csv(p):
        itemid = r.get("itemid", "").strip()
        if not itemid:
            tm.unmapped("no itemid")
            continue
        label = (r.get("label") or "").strip()
        fluid = (r.get("fluid") or "").strip()
        name = label if fluid.lower() in BLOOD_FLUIDS else f"{fluid}: {label}"
        labitems[itemid] = ((r.get("loinc_code") or "").strip(), name)
        tm.mapped()

    admit: dict[str, str] = {}
    p = t("admissions")
    if p is not None:
        tm = report.table(p.name, "lookup")
        for r in read_csv(p):
            hadm, d = r.get("hadm_id", "").strip(), iso_date(r.get("admittime"))
            if hadm and d:
                admit[hadm] = d
                tm.mapped()
            else:
                tm.unmapped("no hadm_id or admittime")

    with CanonicalWriter(dest, report) as out:
        p = t("patients")
        tm = report.table(p.name, "patients.csv")
        for r in read_csv(p):
            pid = r.get("subject_id", "").strip()
            if not pid:
                tm.unmapped("no subject_id")
                continue
            pt = out.patient(pid)
            age, year = int_or_none(num(r.get("anchor_age"))), int_or_none(num(r.get("anchor_year")))
            pt["birth_date"] = f"{year - age:04d}-01-01" if age is not None and year is not None else ""
            pt["sex"] = SEX.get((r.get("gender") or "").strip().lower(), (r.get("gender") or "").strip())
            pt["death_date"] = iso_date(r.get("dod")) or ""
            tm.mapped()

        p = t("prescriptions")
        if p is not None:
            tm = report.table(p.name, "prescriptions.csv")
            for line, r in enumerate(read_csv(p), start=2):
                pid, drug = r.get("subject_id", "").strip(), (r.get("drug") or "").strip()
                start = iso_date(r.get("starttime"))
                if not pid:
                    tm.unmapped("no subject_id")
                    continue
                if not drug:
                    tm.unmapped("no drug")
                    continue
                if start is None:
                    tm.unmapped("no starttime")
                    continue
                ndc, gsn = (r.get("ndc") or "").strip(), (r.get("gsn") or "").strip()
                code = ndc if ndc and ndc.strip("0") else gsn.split(" ")[0] if gsn else ""
                strength, strength_unit = strength_from_name(r.get("prod_strength"))
                dose = mass_to_mg(num(r.get("dose_val_rx")), r.get("dose_unit_rx"))
                per_day = num(r.get("doses_per_24_hrs"))
                daily = dose * per_day if dose is not None and per_day else None
                pharmacy_id = (r.get("pharmacy_id") or "").strip()
                out.write("prescriptions", {
                    "prescription_id": f"rx-{line}" if not pharmacy_id else f"rx-{pharmacy_id}-{line}",
                    "patient_id": pid, "drug_name": drug, "drug_code": code, "start_date": start,
                    "end_date": iso_date(r.get("stoptime")), "strength": strength, "strength_unit": strength_unit,
                    "daily_dose": daily, "daily_dose_unit": "mg" if daily is not None else None,
                })
                tm.mapped()

        p = t("labevents")
        tm = report.table(p.name, "labs.csv")
        for r in read_csv(p):
            rid, pid = r.get("labevent_id", "").strip(), r.get("subject_id", "").strip()
            itemid = r.get("itemid", "").strip()
            when = iso_datetime(r.get("charttime"))
            value = (r.get("value") or "").strip() or (r.get("valuenum") or "").strip()
            if not rid or not pid:
                tm.unmapped("no labevent_id or subject_id")
            elif when is None:
                tm.unmapped("no charttime")
            elif not value:
                tm.unmapped("no value")
            elif itemid not in labitems:
                tm.unmapped("itemid not in d_labitems")
            else:
                loinc, name = labitems[itemid]
                out.write("labs", {"result_id": rid, "patient_id": pid, "test_code": loinc or itemid,
                                   "test_name": name, "collected_at": when, "value": value,
                                   "unit": (r.get("valueuom") or "").strip(),
                                   "ref_low": num(r.get("ref_range_lower")),
                                   "ref_high": num(r.get("ref_range_upper"))})
                tm.mapped()

        p = t("omr")
        if p is not None:
            tm = report.table(p.name, "labs.csv (vitals, weight)")
            for line, r in enumerate(read_csv(p), start=2):
                pid, name = r.get("subject_id", "").strip(), (r.get("result_name") or "").strip()
                d, value = iso_date(r.get("chartdate")), (r.get("result_value") or "").strip()
                if not pid or not name:
                    tm.unmapped("no subject_id or result_name")
                elif d is None:
                    tm.unmapped("no chartdate")
                elif not value:
                    tm.unmapped("no result_value")
                else:
                    m = _OMR_UNIT.search(name)
                    unit = OMR_UNITS.get(m.group(1).strip().lower(), m.group(1).strip()) if m else ""
                    if not unit and name.lower().startswith("blood pressure"):
                        unit = "mm[Hg]"
                    out.write("labs", {"result_id": f"omr-{line}", "patient_id": pid, "test_code": "",
                                       "test_name": name, "collected_at": d, "value": value, "unit": unit})
                    tm.mapped()

        p = t("diagnoses_icd")
        if p is not None:
            tm = report.table(p.name, "events.csv (sepsis, serious_infection, malignancy)")
            for r in read_csv(p):
                pid, hadm = r.get("subject_id", "").strip(), r.get("hadm_id", "").strip()
                code, version = (r.get("icd_code") or "").strip(), (r.get("icd_version") or "").strip()
                etype = infections.icd_type(code, version)
                if etype is None:
                    tm.unmapped("not an event the audit uses (infection, sepsis, malignancy)")
                elif not pid:
                    tm.unmapped("no subject_id")
                elif hadm not in admit:
                    tm.unmapped("admission not in admissions (no date)")
                else:
                    out.write("events", {"event_id": f"dx-{hadm}-{(r.get('seq_num') or '').strip()}-{code}",
                                         "patient_id": pid, "event_date": admit[hadm], "event_type": etype,
                                         "code": code,
                                         "description": f"ICD-{version} diagnosis" if version else ""})
                    tm.mapped()

        p = t("procedures_icd")  # blood transfusions (ICD-9 procedure 99.0x, ICD-10-PCS 302...)
        if p is not None:
            tm = report.table(p.name, "events.csv (blood_transfusion)")
            for r in read_csv(p):
                pid, hadm = r.get("subject_id", "").strip(), r.get("hadm_id", "").strip()
                code, version = (r.get("icd_code") or "").strip(), (r.get("icd_version") or "").strip()
                etype = infections.icd_type(code, {"9": "9proc", "10": "10pcs"}[version]) \
                    if version in ("9", "10") else None
                d = iso_date(r.get("chartdate")) or admit.get(hadm)
                if etype != "blood_transfusion":
                    tm.unmapped("not a blood transfusion")
                elif not pid:
                    tm.unmapped("no subject_id")
                elif d is None:
                    tm.unmapped("no chartdate and admission not in admissions")
                else:
                    out.write("events", {"event_id": f"px-{hadm}-{(r.get('seq_num') or '').strip()}-{code}",
                                         "patient_id": pid, "event_date": d, "event_type": etype, "code": code,
                                         "description": f"ICD-{version} procedure"})
                    tm.mapped()
    return report
