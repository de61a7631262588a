"""FHIR R4 into the canonical extract: Bundles (*.json, transaction/collection/batch/searchset, one bundle
loaded at a time) and Bulk Data NDJSON (*.ndjson, streamed line by line, never loaded whole).

Patient -> patients (site: managingOrganization, else the organization of the patient's most frequent
Encounter.serviceProvider); MedicationRequest, MedicationDispense, MedicationStatement -> prescriptions
(medicationCodeableConcept or a Medication reference resolved from contained, bundled or NDJSON Medication
resources; dose from dosage doseAndRate x timing; quantity and supply from dispenseRequest / the dispense;
status passed through); Observation with a value -> labs; Encounter of class AMB -> clinic_visit events;
Condition that is sepsis or a serious infection -> events. References may be `urn:uuid:...`,
`Patient/123` (relative or absolute URL, with or without _history), `#contained` or conditional
(`Organization?identifier=system|value`).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Iterator

from ._common import (CanonicalWriter, FormatError, InfectionCodes, MappingReport,
                      int_or_none, iso_date, iso_datetime, mass_to_mg, num, strength_from_name)

USED = {"Patient", "MedicationRequest", "MedicationDispense", "MedicationStatement", "Observation", "Encounter",
        "Condition", "Procedure", "AllergyIntolerance"}
LOOKUP = {"Organization", "Medication"}
PERIOD_DAYS = {"s": 1 / 86400, "min": 1 / 1440, "h": 1 / 24, "d": 1, "wk": 7, "mo": 30, "a": 365}
DURATION_DAYS = {"d": 1, "day": 1, "days": 1, "wk": 7, "week": 7, "weeks": 7, "mo": 30, "month": 30,
                 "months": 30, "a": 365, "h": 1 / 24}
TIMING_CODES = {"QD": 1, "BID": 2, "TID": 3, "QID": 4, "QOD": 0.5, "AM": 1, "PM": 1, "QHS": 1, "Q4H": 6, "Q6H": 4,
                "Q8H": 3, "Q12H": 2, "WK": 1 / 7, "MO": 1 / 30}
DOSE_FORM_UNITS = {"", "1", "tab", "tablet", "tablets", "{tbl}", "{tablet}", "cap", "capsule", "capsules", "{cap}",
                   "{capsule}", "each", "{each}", "unit", "dose", "{dose}"}
SEX = {"male": "M", "female": "F"}
_RESOURCE_TYPE = re.compile(rb'"resourceType"\s*:\s*"([A-Za-z]+)"')


# --------------------------------------------------------------------------------------------- files


def _peek_type(path: Path, nbytes: int = 65536) -> str | None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(nbytes)
    except OSError:
        return None
    m = _RESOURCE_TYPE.search(head)
    return m.group(1).decode() if m else None


def fhir_files(src: Path) -> tuple[list[Path], list[Path]]:
    """(ndjson files, json files holding a FHIR resource or Bundle) directly in `src`."""
    ndjson, bundles = [], []
    try:
        files = sorted(p for p in src.iterdir() if p.is_file())
    except OSError:
        return [], []
    for p in files:
        name = p.name.lower()
        if name.endswith(".ndjson") and _peek_type(p):
            ndjson.append(p)
        elif name.endswith(".json") and _peek_type(p):
            bundles.append(p)
    return ndjson, bundles


def _order(path: Path) -> tuple[int, str]:
    t = _peek_type(path, 4096) or ""
    return ({"Organization": 0, "Medication": 1, "Patient": 2}.get(t, 3), path.name)


# --------------------------------------------------------------------------------------------- helpers


def _codings(cc: dict | None) -> list[dict]:
    return (cc or {}).get("coding") or []


def _cc_text(cc: dict | None) -> str:
    if not cc:
        return ""
    if cc.get("text"):
        return str(cc["text"]).strip()
    for c in _codings(cc):
        if c.get("display"):
            return str(c["display"]).strip()
    return ""


def _pick_code(cc: dict | None, *systems: str) -> str:
    codings = _codings(cc)
    for s in systems:
        for c in codings:
            if s in (c.get("system") or "").lower() and c.get("code"):
                return str(c["code"]).strip()
    for c in codings:
        if c.get("code"):
            return str(c["code"]).strip()
    return ""


class Refs:
    """Reference resolution across the files of one extract."""

    def __init__(self) -> None:
        self.full_urls: dict[str, tuple[str, str]] = {}   # fullUrl -> (type, id)
        self.medications: dict[str, dict] = {}            # "Medication/id" and fullUrl -> resource
        self.org_names: dict[str, str] = {}               # "Organization/id", "identifier|value" -> name

    def key(self, reference: str | None, expected: str | None = None) -> tuple[str | None, str | None]:
        """(type, id) of a reference."""
        if not reference:
            return None, None
        ref = reference.strip()
        if ref in self.full_urls:
            return self.full_urls[ref]
        if ref.startswith("urn:uuid:") or ref.startswith("urn:oid:"):
            return expected, ref.split(":", 2)[2]
        if "?" in ref:  # conditional: Type?identifier=system|value
            typ, _, query = ref.partition("?")
            value = query.split("=", 1)[-1]
            return typ.rsplit("/", 1)[-1] or expected, value.split("|")[-1]
        parts = [p for p in ref.split("/") if p]
        if "_history" in parts:
            parts = parts[: parts.index("_history")]
        if len(parts) >= 2:
            return parts[-2], parts[-1]
        return expected, parts[-1] if parts else None

    def patient_id(self, ref: dict | None) -> str | None:
        if not ref:
            return None
        typ, rid = self.key(ref.get("reference"), "Patient")
        if typ not in (None, "Patient"):
            return None
        return rid

    def add_org(self, res: dict, full_url: str | None) -> None:
        name = (res.get("name") or "").strip() or res.get("id", "")
        keys = [f"Organization/{res.get('id')}"]
        if full_url:
            keys.append(full_url)
        for ident in res.get("identifier") or []:
            if ident.get("value"):
                keys.append(f"identifier|{ident['value']}")
        for k in keys:
            self.org_names[k] = name

    def org_name(self, ref: dict | None) -> str | None:
        if not ref:
            return None
        r = (ref.get("reference") or "").strip()
        if r in self.org_names:
            return self.org_names[r]
        typ, rid = self.key(r, "Organization")
        for k in (f"Organization/{rid}", f"identifier|{rid}"):
            if k in self.org_names:
                return self.org_names[k]
        return (ref.get("display") or "").strip() or rid


def _per_day(timing: dict | None) -> float | None:
    if not timing:
        return None
    rep = timing.get("repeat") or {}
    if rep:
        freq = num(rep.get("frequency")) or 1.0
        period = num(rep.get("period")) or 1.0
        unit = PERIOD_DAYS.get((rep.get("periodUnit") or "d").strip())
        if unit:
            return freq / (period * unit)
    code = _pick_code(timing.get("code"))
    return TIMING_CODES.get(code.upper()) if code else None


def _daily_dose(dosages: list[dict], strength_mg: float | None) -> float | None:
    """Sum of dose x administrations per day over the instructions that apply together (the first
    sequence number), in mg; None when a dose or its frequency is missing or not convertible."""
    if not dosages:
        return None
    first_seq = dosages[0].get("sequence")
    total = 0.0
    for d in dosages:
        if d.get("sequence") != first_seq:
            continue
        dq = None
        for dr in d.get("doseAndRate") or []:
            dq = dr.get("doseQuantity") or (dr.get("doseRange") or {}).get("low")
            if dq:
                break
        per_day = _per_day(d.get("timing"))
        if not dq or per_day is None or num(dq.get("value")) is None:
            return None
        value = num(dq.get("value"))
        unit = (dq.get("code") or dq.get("unit") or "").strip()
        mg = mass_to_mg(value, unit)
        if mg is None and unit.lower() in DOSE_FORM_UNITS and strength_mg is not None:
            mg = value * strength_mg
        if mg is None:
            return None
        total += mg * per_day
    return total


def _days(q: dict | None) -> float | None:
    if not q:
        return None
    v = num(q.get("value"))
    f = DURATION_DAYS.get((q.get("code") or q.get("unit") or "d").strip().lower())
    return None if v is None or f is None else v * f


class _Medication:
    def __init__(self, name: str, code: str, strength: float | None, strength_unit: str | None):
        self.name, self.code, self.strength, self.strength_unit = name, code, strength, strength_unit


def _medication_from_resource(med: dict) -> _Medication:
    name, code = _cc_text(med.get("code")), _pick_code(med.get("code"), "rxnorm")
    strength, unit = None, None
    ingredients = med.get("ingredient") or []
    if len(ingredients) == 1:
        s = ingredients[0].get("strength") or {}
        numr, den = s.get("numerator") or {}, s.get("denominator") or {}
        if num(numr.get("value")) is not None and (num(den.get("value")) in (None, 1.0)):
            u = (numr.get("code") or numr.get("unit") or "").strip().lower()
            if mass_to_mg(1.0, u) is not None:
                strength, unit = num(numr.get("value")), u
    if strength is None:
        strength, unit = strength_from_name(name)
    return _Medication(name, code, strength, unit)


# --------------------------------------------------------------------------------------------- reader


class _FhirReader:
    def __init__(self, out: CanonicalWriter, report: MappingReport):
        self.out, self.report = out, report
        self.refs = Refs()
        self.infections = InfectionCodes()
        self.managing: dict[str, dict] = {}
        self.encounter_orgs: dict[str, Counter] = defaultdict(Counter)

    def tm(self, rtype: str):
        target = {"Patient": "patients.csv", "MedicationRequest": "prescriptions.csv",
                  "MedicationDispense": "prescriptions.csv", "MedicationStatement": "prescriptions.csv",
                  "Observation": "labs.csv", "Encounter": "events.csv (clinic_visit)",
                  "Condition": "events.csv (sepsis, serious_infection, malignancy, relapse)",
                  "Procedure": "events.csv (blood_transfusion)",
                  "AllergyIntolerance": "events.csv (adverse_reaction)"}.get(
            rtype, "lookup" if rtype in LOOKUP else "none")
        return self.report.table(rtype, target)

    # -- pre-pass per bundle: index before mapping
    def index(self, res: dict, full_url: str | None) -> None:
        rtype, rid = res.get("resourceType"), res.get("id")
        if full_url and rtype:
            self.refs.full_urls[full_url] = (rtype, rid or full_url.rsplit(":", 1)[-1].rsplit("/", 1)[-1])
        if rtype == "Organization":
            self.refs.add_org(res, full_url)
        elif rtype == "Medication":
            for k in filter(None, (f"Medication/{rid}" if rid else None, full_url)):
                self.refs.medications[k] = res

    def map(self, res: Any, full_url: str | None = None) -> None:
        if not isinstance(res, dict) or not res.get("resourceType"):
            self.report.table("(no resourceType)", "none").unmapped("not a FHIR resource")
            return
        rtype = res["resourceType"]
        tm = self.tm(rtype)
        if rtype in LOOKUP:
            tm.mapped()
            return
        if rtype not in USED:
            tm.unmapped("resource type not used")
            return
        getattr(self, f"_{rtype}")(res, tm)

    # -- resources
    def _Patient(self, r: dict, tm) -> None:
        pid = r.get("id")
        if not pid:
            tm.unmapped("no id")
            return
        p = self.out.patient(str(pid))
        p["birth_date"] = iso_date(r.get("birthDate")) or ""
        g = (r.get("gender") or "").strip().lower()
        p["sex"] = SEX.get(g, g if g and g != "unknown" else "")
        p["death_date"] = iso_date(r.get("deceasedDateTime")) or ""
        if r.get("managingOrganization"):
            self.managing[str(pid)] = r["managingOrganization"]
        tm.mapped()

    def _medication(self, r: dict, rtype: str) -> _Medication | None:
        if r.get("medicationCodeableConcept"):
            cc = r["medicationCodeableConcept"]
            name, code = _cc_text(cc), _pick_code(cc, "rxnorm")
            strength, unit = strength_from_name(name)
            return _Medication(name, code, strength, unit) if (name or code) else None
        ref = r.get("medicationReference") or {}
        target = (ref.get("reference") or "").strip()
        med = None
        if target.startswith("#"):
            for c in r.get("contained") or []:
                if c.get("resourceType") == "Medication" and c.get("id") == target[1:]:
                    med = c
        elif target:
            med = self.refs.medications.get(target)
            if med is None:
                typ, rid = self.refs.key(target, "Medication")
                med = self.refs.medications.get(f"Medication/{rid}")
        if med is not None:
            return _medication_from_resource(med)
        if ref.get("display"):
            name = ref["display"].strip()
            strength, unit = strength_from_name(name)
            return _Medication(name, "", strength, unit)
        return None

    def _prescription(self, r: dict, tm, rtype: str) -> None:
        rid = r.get("id")
        pid = self.refs.patient_id(r.get("subject") or r.get("patient"))
        if not rid:
            tm.unmapped("no id")
            return
        if not pid:
            tm.unmapped("no patient subject")
            return
        med = self._medication(r, rtype)
        if med is None:
            tm.unmapped("medication not given or reference not resolved")
            return
        end, days, quantity = None, None, None
        if rtype == "MedicationRequest":
            start = iso_date(r.get("authoredOn"))
            dr = r.get("dispenseRequest") or {}
            start = start or iso_date((dr.get("validityPeriod") or {}).get("start"))
            quantity = num((dr.get("quantity") or {}).get("value"))
            days = _days(dr.get("expectedSupplyDuration"))
            dosages = r.get("dosageInstruction") or []
        elif rtype == "MedicationDispense":
            start = iso_date(r.get("whenHandedOver")) or iso_date(r.get("whenPrepared"))
            quantity = num((r.get("quantity") or {}).get("value"))
            days = _days(r.get("daysSupply"))
            dosages = r.get("dosageInstruction") or []
        else:
            period = r.get("effectivePeriod") or {}
            start = iso_date(r.get("effectiveDateTime")) or iso_date(period.get("start")) \
                or iso_date(r.get("dateAsserted"))
            end = iso_date(period.get("end"))
            dosages = r.get("dosage") or []
        if start is None:
            tm.unmapped("no start date")
            return
        code = med.code
        strength_mg = mass_to_mg(med.strength, med.strength_unit)
        daily = _daily_dose(dosages, strength_mg)
        prefix = "" if rtype == "MedicationRequest" else f"{rtype}/"
        self.out.write("prescriptions", {
            "prescription_id": f"{prefix}{rid}", "patient_id": pid, "drug_name": med.name or code,
            "drug_code": code, "start_date": start, "end_date": end,
            "days_supply": int_or_none(days) if days and days > 0 else None,
            "strength": med.strength, "strength_unit": med.strength_unit,
            "quantity": quantity if quantity and quantity > 0 else None,
            "daily_dose": daily, "daily_dose_unit": "mg" if daily is not None else None,
            "status": (r.get("status") or "").strip(),
        })
        tm.mapped()

    def _MedicationRequest(self, r, tm):
        self._prescription(r, tm, "MedicationRequest")

    def _MedicationDispense(self, r, tm):
        self._prescription(r, tm, "MedicationDispense")

    def _MedicationStatement(self, r, tm):
        self._prescription(r, tm, "MedicationStatement")

    def _Observation(self, r: dict, tm) -> None:
        rid, pid = r.get("id"), self.refs.patient_id(r.get("subject"))
        if not rid:
            tm.unmapped("no id")
            return
        if not pid:
            tm.unmapped("no patient subject")
            return
        if (r.get("status") or "") in ("entered-in-error", "cancelled"):
            tm.unmapped("status entered-in-error or cancelled")
            return
        when = iso_datetime(r.get("effectiveDateTime")) or iso_datetime((r.get("effectivePeriod") or {}).get("start")) \
            or iso_datetime(r.get("effectiveInstant")) or iso_datetime(r.get("issued"))
        if when is None:
            tm.unmapped("no date")
            return
        unit = ""
        if "valueQuantity" in r:
            q = r["valueQuantity"] or {}
            v = q.get("value")
            value = "" if v is None else f"{q.get('comparator', '')}{v}"
            unit = (q.get("code") or q.get("unit") or "").strip()
        elif "valueCodeableConcept" in r:
            value = _cc_text(r["valueCodeableConcept"]) or _pick_code(r["valueCodeableConcept"])
        elif "valueString" in r:
            value = str(r["valueString"] or "").strip()
        elif "valueInteger" in r:
            value = str(r["valueInteger"])
        elif "valueBoolean" in r:
            value = "true" if r["valueBoolean"] else "false"
        else:
            value = ""
        if not value:
            tm.unmapped("no value (components only)" if r.get("component") else "no value")
            return
        code = _pick_code(r.get("code"), "loinc")
        name = _cc_text(r.get("code"))
        if not code and not name:
            tm.unmapped("no code")
            return
        rr = (r.get("referenceRange") or [{}])[0]
        self.out.write("labs", {"result_id": rid, "patient_id": pid, "test_code": code, "test_name": name,
                                "collected_at": when, "value": value, "unit": unit,
                                "ref_low": num((rr.get("low") or {}).get("value")),
                                "ref_high": num((rr.get("high") or {}).get("value"))})
        tm.mapped()

    def _Encounter(self, r: dict, tm) -> None:
        rid, pid = r.get("id"), self.refs.patient_id(r.get("subject") or r.get("patient"))
        if pid and r.get("serviceProvider"):
            name = self.refs.org_name(r["serviceProvider"])
            if name:
                self.encounter_orgs[pid][name] += 1
        cls = r.get("class") or {}
        cls_code = (cls.get("code") or "").strip().upper() if isinstance(cls, dict) else ""
        if cls_code not in ("AMB", "AMBULATORY", "OUTPATIENT"):
            tm.unmapped("not an ambulatory encounter")
            return
        if (r.get("status") or "") in ("entered-in-error", "cancelled"):
            tm.unmapped("status entered-in-error or cancelled")
            return
        if not rid or not pid:
            tm.unmapped("no id or patient subject")
            return
        d = iso_date((r.get("period") or {}).get("start"))
        if d is None:
            tm.unmapped("no date")
            return
        types = r.get("type") or [{}]
        self.out.write("events", {"event_id": f"Encounter/{rid}", "patient_id": pid, "event_date": d,
                                  "event_type": "clinic_visit", "code": _pick_code(types[0], "snomed"),
                                  "description": _cc_text(types[0])})
        tm.mapped()

    def _Condition(self, r: dict, tm) -> None:
        rid, pid = r.get("id"), self.refs.patient_id(r.get("subject"))
        cc = r.get("code")
        name = _cc_text(cc)
        etype = None
        for c in _codings(cc):
            system, code = (c.get("system") or "").lower(), c.get("code")
            if "snomed" in system:
                etype = etype or self.infections.snomed_type(code)
            elif "icd-10" in system or "icd10" in system:
                etype = etype or self.infections.icd_type(code, "10")
            elif "icd-9" in system or "icd9" in system:
                etype = etype or self.infections.icd_type(code, "9")
        etype = etype or self.infections.name_type(name)
        status = _pick_code(r.get("verificationStatus"))
        if etype is None:
            tm.unmapped("not an event the audit uses (infection, sepsis, malignancy, relapse, adverse reaction)")
            return
        if status in ("entered-in-error", "refuted"):
            tm.unmapped("verification status entered-in-error or refuted")
            return
        if not rid or not pid:
            tm.unmapped("no id or patient subject")
            return
        d = iso_date(r.get("onsetDateTime")) or iso_date((r.get("onsetPeriod") or {}).get("start")) \
            or iso_date(r.get("recordedDate"))
        if d is None:
            tm.unmapped("no date")
            return
        self.out.write("events", {"event_id": f"Condition/{rid}", "patient_id": pid, "event_date": d,
                                  "event_type": etype, "code": _pick_code(cc, "snomed", "icd-10"),
                                  "description": name})
        tm.mapped()

    def _Procedure(self, r: dict, tm) -> None:
        rid, pid = r.get("id"), self.refs.patient_id(r.get("subject"))
        cc = r.get("code")
        etype = None
        for c in _codings(cc):
            if "snomed" in (c.get("system") or "").lower():
                etype = etype or self.infections.snomed_type(c.get("code"))
        etype = etype or self.infections.name_type(_cc_text(cc))
        if etype != "blood_transfusion":
            tm.unmapped("not a blood transfusion")
            return
        if r.get("status") in ("not-done", "entered-in-error"):
            tm.unmapped("status not-done or entered-in-error")
            return
        if not rid or not pid:
            tm.unmapped("no id or patient subject")
            return
        d = iso_date(r.get("performedDateTime")) or iso_date((r.get("performedPeriod") or {}).get("start"))
        if d is None:
            tm.unmapped("no date")
            return
        self.out.write("events", {"event_id": f"Procedure/{rid}", "patient_id": pid, "event_date": d,
                                  "event_type": etype, "code": _pick_code(cc, "snomed"), "description": _cc_text(cc)})
        tm.mapped()

    def _AllergyIntolerance(self, r: dict, tm) -> None:
        rid, pid = r.get("id"), self.refs.patient_id(r.get("patient"))
        cc = r.get("code")
        etype = self.infections.name_type(f"allergy to {_cc_text(cc)}")
        if etype != "adverse_reaction":
            tm.unmapped("not an allergy or intolerance to azathioprine")
            return
        if _pick_code(r.get("verificationStatus")) in ("entered-in-error", "refuted"):
            tm.unmapped("verification status entered-in-error or refuted")
            return
        if not rid or not pid:
            tm.unmapped("no id or patient")
            return
        d = iso_date(r.get("onsetDateTime")) or iso_date(r.get("recordedDate"))
        if d is None:
            tm.unmapped("no date")
            return
        self.out.write("events", {"event_id": f"AllergyIntolerance/{rid}", "patient_id": pid, "event_date": d,
                                  "event_type": etype, "code": _pick_code(cc, "snomed"),
                                  "description": _cc_text(cc)})
        tm.mapped()

    # -- end: sites
    def finish(self) -> None:
        for pid, p in self.out.patients.items():
            site = self.refs.org_name(self.managing.get(pid)) if pid in self.managing else None
            if not site and self.encounter_orgs.get(pid):
                site = max(self.encounter_orgs[pid].items(), key=lambda kv: (kv[1], kv[0]))[0]
            p["site_id"] = site or ""


def _bundle_entries(doc: Any) -> Iterator[tuple[dict | None, str | None, str | None]]:
    """(resource, fullUrl, request method) of a Bundle (nested Bundles flattened) or a lone resource."""
    if isinstance(doc, dict) and doc.get("resourceType") == "Bundle":
        for e in doc.get("entry") or []:
            res = e.get("resource")
            if isinstance(res, dict) and res.get("resourceType") == "Bundle":
                yield from _bundle_entries(res)
            else:
                yield res, e.get("fullUrl"), ((e.get("request") or {}).get("method") or "").upper()
    else:
        yield doc, None, None


def convert_fhir(src: Path, dest: Path) -> MappingReport:
    ndjson, bundles = fhir_files(src)
    if not ndjson and not bundles:
        raise FormatError(f"{src}: FHIR needs *.ndjson files or *.json Bundles or resources")
    report = MappingReport(format="fhir")
    with CanonicalWriter(dest, report) as out:
        reader = _FhirReader(out, report)
        # NDJSON: Organization, Medication and Patient files first, then the rest, each streamed
        for path in sorted(ndjson, key=_order):
            bad = 0
            with open(path, encoding="utf-8-sig") as fh:
                for line in fh:
                    if not line.strip():
                        continue
                    try:
                        res = json.loads(line)
                    except json.JSONDecodeError:
                        bad += 1
                        continue
                    if isinstance(res, dict):
                        reader.index(res, None)
                    reader.map(res)
            if bad:
                report.table(path.name, "none").unmapped("unparseable JSON line", bad)
        # Bundles: one at a time, indexed first so that urn:uuid references resolve within the bundle
        for path in sorted(bundles, key=_order):
            try:
                with open(path, encoding="utf-8-sig") as fh:
                    doc = json.load(fh)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise FormatError(f"{path}: not valid JSON (line {getattr(exc, 'lineno', '?')})") from None
            entries = list(_bundle_entries(doc))
            for res, full_url, _ in entries:
                if isinstance(res, dict):
                    reader.index(res, full_url)
            for res, full_url, method in entries:
                if method == "DELETE":
                    report.table(str((res or {}).get("resourceType", "(delete)")), "none").unmapped(
                        "DELETE request")
                    continue
                reader.map(res, full_url)
        reader.finish()
    return report
