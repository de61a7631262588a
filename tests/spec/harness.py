"""ehrQL-style spec harness: a few inline patient rows, the audit run on them, the findings back.

    result = audit(
        as_of="2025-06-01",
        patients=[patient("P1")],
        prescriptions=[rx("R1", "P1", "2025-01-01")],
        labs=[lab("L1", "P1", "2025-01-01", "WBC", 5.0)],
        rule="TPMT_NOT_TESTED",
    )
    assert result.findings == [...]

Rows go through the real extract files and the production stage functions (`pipelines.lib.audit.run`:
format resolution, ingest, normalise, episodes, rules, measures) in an in-memory DuckDB, so a spec test pins
the whole path from the contract to the finding. The extract folder is removed once it has been read.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
import tempfile

import duckdb

from pipelines.lib.audit import run_audit_in
from pipelines.lib.extracts import EXTRACT_FILES

# LOINC code per analyte for the `lab` helper (a name can be given instead with test_name=).
LOINC = {
    "WBC": "6690-2", "NEUTROPHILS": "751-8", "NEUTROPHILS_PCT": "770-8", "LYMPHOCYTES": "731-0",
    "LYMPHOCYTES_PCT": "736-9", "PLATELETS": "777-3", "HAEMOGLOBIN": "718-7", "ALT": "1742-6",
    "AST": "1920-8", "ALP": "6768-6", "BILIRUBIN": "1975-2", "ALBUMIN": "1751-7",
    "TPMT_ACTIVITY": "21563-2", "TPMT_PHENOTYPE": "41048-0", "WEIGHT": "29463-7", "CREATININE": "2160-0",
    "EGFR": "33914-3", "UREA": "3094-0",
}
DEFAULT_UNIT = {
    "WBC": "10*9/L", "NEUTROPHILS": "10*9/L", "LYMPHOCYTES": "10*9/L", "PLATELETS": "10*9/L",
    "NEUTROPHILS_PCT": "%", "LYMPHOCYTES_PCT": "%", "HAEMOGLOBIN": "g/L", "ALT": "U/L", "AST": "U/L",
    "ALP": "U/L", "BILIRUBIN": "umol/L", "ALBUMIN": "g/L", "TPMT_ACTIVITY": "mU/L", "WEIGHT": "kg",
    "CREATININE": "umol/L", "EGFR": "mL/min/1.73m2", "UREA": "mmol/L",
}
_ids = itertools.count(1)


def patient(patient_id, site_id="S1", birth_date="1980-01-01", sex="F", ms_course="RRMS", death_date=None):
    return dict(patient_id=patient_id, site_id=site_id, birth_date=birth_date, sex=sex, ms_course=ms_course,
                death_date=death_date)


def rx(prescription_id, patient_id, start_date, days_supply=28, strength=50, quantity=None,
       daily_dose=None, drug_name="Azathioprine 50mg tablets", drug_code=None, end_date=None,
       strength_unit="mg", daily_dose_unit=None, status=None):
    """An azathioprine prescription; by default 28 days of 50 mg tablets, 2 a day (quantity 56)."""
    if quantity is None and strength is not None and days_supply is not None:
        quantity = 2 * days_supply
    return dict(prescription_id=prescription_id, patient_id=patient_id, drug_name=drug_name,
                drug_code=drug_code, start_date=start_date, end_date=end_date, days_supply=days_supply,
                strength=strength, strength_unit=strength_unit if strength is not None else None,
                quantity=quantity, daily_dose=daily_dose,
                daily_dose_unit=daily_dose_unit or ("mg" if daily_dose is not None else None), status=status)


def dmt(prescription_id, patient_id, start_date, drug_name="Tecfidera 240mg capsules"):
    return dict(prescription_id=prescription_id, patient_id=patient_id, drug_name=drug_name,
                start_date=start_date, days_supply=28)


def lab(result_id, patient_id, collected_at, analyte, value, unit=None, test_name=None):
    """A lab result by analyte (coded with LOINC), or by local name when test_name is given."""
    code = None if test_name else LOINC[analyte]
    return dict(result_id=result_id or f"L{next(_ids)}", patient_id=patient_id, test_code=code,
                test_name=test_name, collected_at=collected_at, value=value,
                unit=unit if unit is not None else DEFAULT_UNIT.get(analyte))


def cbc(patient_id, day, wbc=6.0):
    """A full blood count done on `day` (one WBC result is enough: any analyte of the group counts)."""
    return lab(None, patient_id, day, "WBC", wbc)


def lft(patient_id, day, alt=25):
    return lab(None, patient_id, day, "ALT", alt)


def renal(patient_id, day, creatinine=80):
    """Renal function (U&E) done on `day`: a creatinine (monitored by bsr-2017 only)."""
    return lab(None, patient_id, day, "CREATININE", creatinine)


def bloods(patient_id, *days):
    """The monitoring bloods on each day: a CBC, an LFT and a U&E (renal function, which only profiles
    that monitor RENAL look at)."""
    rows = []
    for day in days:
        rows += [cbc(patient_id, day), lft(patient_id, day), renal(patient_id, day)]
    return rows


def tpmt(patient_id, day, value="Normal", unit=None):
    analyte = "TPMT_ACTIVITY" if unit else "TPMT_PHENOTYPE"
    return lab(None, patient_id, day, analyte, value, unit=unit)


def weight(patient_id, day, kg):
    return lab(None, patient_id, day, "WEIGHT", kg, unit="kg")


def event(event_id, patient_id, event_date, event_type):
    return dict(event_id=event_id, patient_id=patient_id, event_date=event_date, event_type=event_type)


@dataclass
class AuditResult:
    findings: list[dict]
    catalogue: list[dict]
    con: duckdb.DuckDBPyConnection

    def table(self, name: str) -> list[dict]:
        cursor = self.con.execute(f'select * from "{name}"')
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]

    def summary(self, rule_id: str, site_id: str = "ALL") -> dict:
        rows = [r for r in self.table("rule_summary") if r["rule_id"] == rule_id and r["site_id"] == site_id]
        return rows[0] if rows else {}


def _write(directory: Path, name: str, rows: list[dict]) -> None:
    columns = EXTRACT_FILES[name].columns
    with (directory / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items() if k in columns})


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def audit(*, as_of, patients, prescriptions=(), labs=(), events=None, profile="default", rule=None,
          keep=("rule_id", "patient_id", "test", "key_date", "window_start", "window_end", "value",
                "threshold")) -> AuditResult:
    """Run the audit on inline rows. `events=None` means no events file at all.
    `rule` limits the run (and the returned findings) to one rule or a set of rules (an empty set: none).
    Findings come back sorted, as dicts of the `keep` columns with dates as ISO strings."""
    only = {rule} if isinstance(rule, str) else (set(rule) if rule is not None else None)  # set(): no rule
    con = duckdb.connect()
    with tempfile.TemporaryDirectory(prefix="aza-spec-") as folder:
        directory = Path(folder)
        _write(directory, "patients", list(patients))
        _write(directory, "prescriptions", list(prescriptions))
        _write(directory, "labs", list(labs))
        if events is not None:
            _write(directory, "events", list(events))
        catalogue = run_audit_in(con, directory, _as_date(as_of), profile, only=only)
    cursor = con.execute("select * from findings")
    columns = [d[0] for d in cursor.description]
    findings = []
    for row in cursor.fetchall():
        record = dict(zip(columns, row))
        findings.append({k: (record[k].isoformat() if isinstance(record[k], date) else record[k]) for k in keep})
    findings.sort(key=lambda f: tuple(str(f[k]) for k in keep))
    return AuditResult(findings, catalogue, con)


def finding(rule_id, patient_id, key_date, test=None, window_start=None, window_end=None, value=None,
            threshold=None):
    """An expected finding in the shape `audit` returns."""
    return dict(rule_id=rule_id, patient_id=patient_id, test=test, key_date=key_date,
                window_start=window_start, window_end=window_end, value=value, threshold=threshold)
