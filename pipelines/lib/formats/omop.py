"""OMOP CDM v5.4 (CSV or tab-separated, table names any case) into the canonical extract.

PERSON -> patients (CARE_SITE name as site, DEATH date), DRUG_EXPOSURE -> prescriptions (CONCEPT name and
RxNorm code, DRUG_STRENGTH amount), MEASUREMENT -> labs (LOINC code and name, UCUM unit, value concept name
for text results), VISIT_OCCURRENCE outpatient visits -> clinic_visit events, CONDITION_OCCURRENCE serious
infections -> events. OBSERVATION_PERIOD is read and reported, not used.

CONCEPT can be the full Athena vocabulary: it is streamed once, keeping only the concepts the data uses.
"""

from __future__ import annotations

import re
from pathlib import Path

from ._common import (AzathioprineCodes, CanonicalWriter, FormatError, InfectionCodes, MappingReport,
                      find_table, int_or_none, iso_date, iso_datetime, num, positive, read_csv,
                      read_names, strength_from_name)

GENDER = {"8507": "M", "8532": "F"}
# visit concepts that are an outpatient clinic contact
OUTPATIENT_VISITS = {"9202", "581477", "38004207", "5083", "581478"}
_ICD10_LIKE = re.compile(r"^[A-TV-Z]\d")


_LOINC_LIKE = re.compile(r"^\d+-\d$")


def ucum_plain(code: str) -> str:
    """A UCUM unit concept code as labs write it: the annotation brackets of the vocabulary's units
    (`[U]/L`, `[iU]/L`) dropped and a `10*-3.` prefix written as milli (`10*-3.[U]/L` is mU/L), so that the
    unit codelist, which knows `U/L`, `IU/L` and `mU/L`, recognises them. Other codes are kept as they are."""
    s = code.replace("[U]", "U").replace("[iU]", "IU").replace("[IU]", "IU")
    return re.sub(r"^10\*-3\.(?=[A-Za-z])", "m", s)


def _t(src: Path, name: str) -> Path | None:
    return find_table(src, name)


# vocabulary prefix -> the code system InfectionCodes.icd_type reads it as ("snomed": exact SNOMED code)
_DIAGNOSIS_VOCABULARIES = (("SNOMED", "snomed"), ("ICD10", "10"), ("ICD9", "9"))
_PROCEDURE_VOCABULARIES = (("SNOMED", "snomed"), ("ICD10PCS", "10pcs"), ("ICD9PROC", "9proc"))


def _event_type(infections, concept: dict, source_concept: dict, source_value: str, vocabularies) -> str | None:
    """The event type of a condition or procedure row from its concept and source concept (by vocabulary),
    else from a bare SNOMED code in the source value when the row has no concept."""
    for cc in (concept, source_concept):
        vocab = cc.get("vocabulary", "").upper()
        for prefix, system in vocabularies:
            if vocab == prefix or (system != "snomed" and vocab.startswith(prefix)):
                found = infections.snomed_type(cc.get("code")) if system == "snomed" else \
                    infections.icd_type(cc.get("code"), system)
                if found:
                    return found
                break
    if source_value.isdigit() and not concept:
        return infections.snomed_type(source_value)
    return None


def _ids(path: Path | None, *cols: str) -> set[str]:
    out: set[str] = set()
    if path is None:
        return out
    for r in read_csv(path):
        for c in cols:
            v = (r.get(c) or "").strip()
            if v and v != "0":
                out.add(v)
    return out


def convert_omop(src: Path, dest: Path) -> MappingReport:
    person_p = _t(src, "person")
    if person_p is None:
        raise FormatError(f"{src}: OMOP CDM needs a PERSON table (person.csv or .tsv, any case)")
    report = MappingReport(format="omop")
    aza = AzathioprineCodes()
    infections = InfectionCodes()

    drug_p, meas_p = _t(src, "drug_exposure"), _t(src, "measurement")
    visit_p, cond_p = _t(src, "visit_occurrence"), _t(src, "condition_occurrence")
    proc_p = _t(src, "procedure_occurrence")
    strength_p, ancestor_p, concept_p = _t(src, "drug_strength"), _t(src, "concept_ancestor"), _t(src, "concept")

    # ---- pass 1: which concepts does the data use?
    drug_ids = _ids(drug_p, "drug_concept_id")
    wanted = set(drug_ids)
    wanted |= _ids(meas_p, "measurement_concept_id", "value_as_concept_id", "unit_concept_id")
    wanted |= _ids(cond_p, "condition_concept_id", "condition_source_concept_id")
    wanted |= _ids(visit_p, "visit_concept_id")
    wanted |= _ids(proc_p, "procedure_concept_id", "procedure_source_concept_id")

    # ---- DRUG_STRENGTH (for the drugs used), CONCEPT_ANCESTOR (roll-up to the azathioprine ingredient)
    strengths: dict[str, tuple[float, str]] = {}
    if strength_p is not None:
        tm = report.table(strength_p.name, "lookup")
        for r in read_csv(strength_p):
            did = r.get("drug_concept_id", "").strip()
            amount = num(r.get("amount_value"))
            if did in drug_ids and amount is not None and not (r.get("invalid_reason") or "").strip():
                # a single-ingredient product has one row; a combination has several and keeps no strength
                strengths[did] = (amount, r.get("amount_unit_concept_id", "").strip()) if did not in strengths \
                    else (float("nan"), "")
                wanted.add(r.get("amount_unit_concept_id", "").strip())
                tm.mapped()
            else:
                tm.unmapped("not used (drug not in DRUG_EXPOSURE, no amount or invalid)")
    aza_by_ancestor: set[str] = set()
    ancestor_rows = 0
    if ancestor_p is not None:
        tm = report.table(ancestor_p.name, "lookup")
        for r in read_csv(ancestor_p):
            ancestor_rows += 1
            if r.get("ancestor_concept_id", "").strip() == aza.INGREDIENT_CONCEPT_ID:
                aza_by_ancestor.add(r.get("descendant_concept_id", "").strip())
                tm.mapped()
            else:
                tm.unmapped("not an azathioprine roll-up")

    concepts: dict[str, dict[str, str]] = {}
    if concept_p is not None:
        tm = report.table(concept_p.name, "lookup")
        for r in read_csv(concept_p):
            cid = r.get("concept_id", "").strip()
            if cid in wanted:
                concepts[cid] = {"name": r.get("concept_name", "").strip(), "code": r.get("concept_code", "").strip(),
                                 "vocabulary": r.get("vocabulary_id", "").strip()}
                tm.mapped()
            else:
                tm.unmapped("not referenced by the data")

    # ---- patients
    cs_p = _t(src, "care_site")
    sites = read_names(report, cs_p, "care_site_id", "care_site_name", "no care_site_id") if cs_p else {}

    with CanonicalWriter(dest, report) as out:
        tm = report.table(person_p.name, "patients.csv")
        for r in read_csv(person_p):
            pid = r.get("person_id", "").strip()
            if not pid:
                tm.unmapped("no person_id")
                continue
            p = out.patient(pid)
            csid = (r.get("care_site_id") or "").strip()
            p["site_id"] = sites.get(csid, csid) if csid and csid != "0" else ""
            birth = iso_date(r.get("birth_datetime"))
            if birth is None:
                y, m, d = (int_or_none(num(r.get(c))) for c in ("year_of_birth", "month_of_birth", "day_of_birth"))
                if y:
                    birth = f"{y:04d}-{(m or 1):02d}-{(d or 1):02d}"
            p["birth_date"] = birth or ""
            p["sex"] = GENDER.get(r.get("gender_concept_id", "").strip(), "")
            tm.mapped()

        death_p = _t(src, "death")
        if death_p is not None:
            tm = report.table(death_p.name, "patients.csv (death_date)")
            for r in read_csv(death_p):
                pid, d = r.get("person_id", "").strip(), iso_date(r.get("death_date") or r.get("death_datetime"))
                if pid not in out.patients:
                    tm.unmapped("person not in PERSON")
                elif d is None:
                    tm.unmapped("no death_date")
                else:
                    p = out.patients[pid]
                    if not p["death_date"] or d < p["death_date"]:
                        p["death_date"] = d
                    tm.mapped()

        # ---- DRUG_EXPOSURE
        if drug_p is not None:
            tm = report.table(drug_p.name, "prescriptions.csv")
            for r in read_csv(drug_p):
                rid, pid = r.get("drug_exposure_id", "").strip(), r.get("person_id", "").strip()
                start = iso_date(r.get("drug_exposure_start_date") or r.get("drug_exposure_start_datetime"))
                if not rid:
                    tm.unmapped("no drug_exposure_id")
                    continue
                if not pid:
                    tm.unmapped("no person_id")
                    continue
                if start is None:
                    tm.unmapped("no start date")
                    continue
                cid = r.get("drug_concept_id", "").strip()
                c = concepts.get(cid)
                name = c["name"] if c else ""
                code = c["code"] if c and c["vocabulary"].lower().startswith("rxnorm") else ""
                if not c and cid in aza.omop_concepts:  # CONCEPT missing or incomplete: known products
                    code, name = aza.omop_concepts[cid]
                source_value = (r.get("drug_source_value") or "").strip()
                if not name:
                    name = source_value
                if not code and source_value.isdigit() and not c:
                    code = source_value  # ETL-Synthea keeps the RxNorm code here
                if not name and not code:
                    tm.unmapped("no drug concept and no drug_source_value")
                    continue
                if not name:
                    name = f"concept {cid}" if cid and cid != "0" else code
                # ingredient roll-up: an azathioprine product that neither its name nor its code gives away
                is_aza = (cid in aza_by_ancestor or cid in aza.omop_concepts or aza.recognised(name, code))
                if is_aza and not aza.recognised(name, code):
                    code = aza.INGREDIENT_RXNORM
                strength, strength_unit = None, None
                if cid in strengths and strengths[cid][0] == strengths[cid][0]:  # not NaN (combination)
                    amount, unit_id = strengths[cid]
                    unit = concepts.get(unit_id, {}).get("code", "")
                    if unit:
                        strength, strength_unit = amount, unit
                if strength is None:
                    strength, strength_unit = strength_from_name(name)
                out.write("prescriptions", {
                    "prescription_id": rid, "patient_id": pid, "drug_name": name, "drug_code": code,
                    "start_date": start,
                    "end_date": iso_date(r.get("drug_exposure_end_date") or r.get("drug_exposure_end_datetime")),
                    "days_supply": int_or_none(positive(r.get("days_supply"))),
                    "strength": strength, "strength_unit": strength_unit,
                    "quantity": positive(r.get("quantity")),
                })
                tm.mapped()

        # ---- MEASUREMENT
        if meas_p is not None:
            tm = report.table(meas_p.name, "labs.csv")
            for r in read_csv(meas_p):
                rid, pid = r.get("measurement_id", "").strip(), r.get("person_id", "").strip()
                day, dt = iso_date(r.get("measurement_date")), iso_datetime(r.get("measurement_datetime"))
                when = dt if dt and (day is None or dt[:10] == day) else day
                if not rid:
                    tm.unmapped("no measurement_id")
                    continue
                if not pid:
                    tm.unmapped("no person_id")
                    continue
                if when is None:
                    tm.unmapped("no date")
                    continue
                value = (r.get("value_as_number") or "").strip()
                if not value:
                    vc = (r.get("value_as_concept_id") or "").strip()
                    if vc and vc != "0":
                        value = concepts.get(vc, {}).get("name", "") or (r.get("value_source_value") or "").strip()
                    else:
                        value = (r.get("value_source_value") or "").strip()
                if not value:
                    tm.unmapped("no value")
                    continue
                cid = r.get("measurement_concept_id", "").strip()
                c = concepts.get(cid)
                source_value = (r.get("measurement_source_value") or "").strip()
                # no concept (id 0): the source value is the lab's own name ("TPMT activity"), or a LOINC
                # code written there; it goes into test_name so that the local-name codelist can match it
                test_code = c["code"] if c else (source_value if _LOINC_LIKE.match(source_value) else "")
                test_name = (c["name"] if c else "") or source_value
                if not test_code and not test_name:
                    tm.unmapped("no measurement concept and no source value")
                    continue
                uid = (r.get("unit_concept_id") or "").strip()
                unit = ucum_plain(concepts.get(uid, {}).get("code", "")) if uid and uid != "0" else ""
                unit = unit or (r.get("unit_source_value") or "").strip()
                out.write("labs", {
                    "result_id": rid, "patient_id": pid, "test_code": test_code, "test_name": test_name,
                    "collected_at": when, "value": value, "unit": unit,
                    "ref_low": num(r.get("range_low")), "ref_high": num(r.get("range_high")),
                })
                tm.mapped()

        # ---- VISIT_OCCURRENCE
        if visit_p is not None:
            tm = report.table(visit_p.name, "events.csv (clinic_visit)")
            for r in read_csv(visit_p):
                rid, pid = r.get("visit_occurrence_id", "").strip(), r.get("person_id", "").strip()
                vc = r.get("visit_concept_id", "").strip()
                vname = concepts.get(vc, {}).get("name", "").lower()
                d = iso_date(r.get("visit_start_date") or r.get("visit_start_datetime"))
                if not (vc in OUTPATIENT_VISITS or "outpatient" in vname or "office" in vname):
                    tm.unmapped("not an outpatient visit")
                elif not rid or not pid:
                    tm.unmapped("no visit_occurrence_id or person_id")
                elif d is None:
                    tm.unmapped("no date")
                else:
                    out.write("events", {"event_id": f"visit-{rid}", "patient_id": pid, "event_date": d,
                                         "event_type": "clinic_visit", "code": vc,
                                         "description": concepts.get(vc, {}).get("name", "")})
                    tm.mapped()

        # ---- CONDITION_OCCURRENCE
        if cond_p is not None:
            tm = report.table(cond_p.name, "events.csv (sepsis, serious_infection, malignancy, relapse, adverse_reaction)")
            for r in read_csv(cond_p):
                rid, pid = r.get("condition_occurrence_id", "").strip(), r.get("person_id", "").strip()
                c = concepts.get(r.get("condition_concept_id", "").strip()) or {}
                sc = concepts.get(r.get("condition_source_concept_id", "").strip()) or {}
                source_value = (r.get("condition_source_value") or "").strip()
                etype = _event_type(infections, c, sc, source_value, _DIAGNOSIS_VOCABULARIES)
                if etype is None and _ICD10_LIKE.match(source_value.upper()):
                    etype = infections.icd_type(source_value, "10")
                name = c.get("name") or sc.get("name") or ""
                etype = etype or infections.name_type(name)
                d = iso_date(r.get("condition_start_date") or r.get("condition_start_datetime"))
                if etype is None:
                    tm.unmapped("not an event the audit uses (infection, sepsis, malignancy, relapse, adverse reaction)")
                elif not rid or not pid:
                    tm.unmapped("no condition_occurrence_id or person_id")
                elif d is None:
                    tm.unmapped("no date")
                else:
                    out.write("events", {"event_id": f"condition-{rid}", "patient_id": pid, "event_date": d,
                                         "event_type": etype, "code": c.get("code") or source_value,
                                         "description": name})
                    tm.mapped()

        # ---- PROCEDURE_OCCURRENCE: blood transfusions
        if proc_p is not None:
            tm = report.table(proc_p.name, "events.csv (blood_transfusion)")
            for r in read_csv(proc_p):
                rid, pid = r.get("procedure_occurrence_id", "").strip(), r.get("person_id", "").strip()
                c = concepts.get(r.get("procedure_concept_id", "").strip()) or {}
                sc = concepts.get(r.get("procedure_source_concept_id", "").strip()) or {}
                source_value = (r.get("procedure_source_value") or "").strip()
                etype = _event_type(infections, c, sc, source_value, _PROCEDURE_VOCABULARIES)
                name = c.get("name") or sc.get("name") or ""
                etype = etype or infections.name_type(name)
                d = iso_date(r.get("procedure_date") or r.get("procedure_datetime"))
                if etype != "blood_transfusion":
                    tm.unmapped("not a blood transfusion")
                elif not rid or not pid:
                    tm.unmapped("no procedure_occurrence_id or person_id")
                elif d is None:
                    tm.unmapped("no date")
                else:
                    out.write("events", {"event_id": f"procedure-{rid}", "patient_id": pid, "event_date": d,
                                         "event_type": etype, "code": c.get("code") or source_value,
                                         "description": name})
                    tm.mapped()

        op_p = _t(src, "observation_period")
        if op_p is not None:
            tm = report.table(op_p.name, "none")
            for _ in read_csv(op_p):
                tm.unmapped("not used (observation periods)")
    return report
