"""Shared plumbing of the format readers: streaming CSV input, the canonical writers, counting, small
parsers (dates, numbers, strengths), the azathioprine and infection codelists.

Nothing here logs or raises with patient data: errors name files and columns, counts are counts.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from ..extracts import ExtractError

from ..paths import CODELISTS_DIR

HERE = Path(__file__).resolve().parent

# Canonical columns, in CONTRACT.md order.
CANONICAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "patients": ("patient_id", "site_id", "birth_date", "sex", "ms_course", "death_date"),
    "prescriptions": ("prescription_id", "patient_id", "drug_name", "drug_code", "start_date", "end_date",
                      "days_supply", "strength", "strength_unit", "quantity", "daily_dose", "daily_dose_unit",
                      "status"),
    "labs": ("result_id", "patient_id", "test_code", "test_name", "collected_at", "value", "unit", "ref_low",
             "ref_high"),
    "events": ("event_id", "patient_id", "event_date", "event_type", "code", "description"),
}

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class FormatError(ExtractError, ValueError):
    """The input cannot be read as the format asked for (or as any format): unusable input, exit status 2.
    The message names the directory or file and what was looked for, never a data value."""

    def __init__(self, message: str):
        Exception.__init__(self, message)
        self.file, self.column = None, None


# --------------------------------------------------------------------------------------------- report


@dataclass
class TableMapping:
    source: str
    rows_read: int = 0
    rows_mapped: int = 0
    rows_unmapped: int = 0
    unmapped_reasons: dict[str, int] = field(default_factory=dict)
    target: str = ""

    def mapped(self, n: int = 1) -> None:
        self.rows_read += n
        self.rows_mapped += n

    def unmapped(self, reason: str, n: int = 1) -> None:
        self.rows_read += n
        self.rows_unmapped += n
        self.unmapped_reasons[reason] = self.unmapped_reasons.get(reason, 0) + n

    @property
    def reconciled(self) -> bool:
        return self.rows_read == self.rows_mapped + self.rows_unmapped \
            and self.rows_unmapped == sum(self.unmapped_reasons.values())


@dataclass
class MappingReport:
    format: str
    tables: list[TableMapping] = field(default_factory=list)
    # rows written per canonical file (one source row can give one canonical row, or none)
    rows_written: dict[str, int] = field(default_factory=dict)

    def table(self, source: str, target: str) -> TableMapping:
        for t in self.tables:
            if t.source == source:
                return t
        t = TableMapping(source=source, target=target)
        self.tables.append(t)
        return t

    def as_dict(self) -> dict:
        return {
            "format": self.format,
            "tables": [asdict(t) for t in self.tables],
            "rows_written": dict(self.rows_written),
        }


# --------------------------------------------------------------------------------------------- input


def open_text(path: Path) -> io.TextIOBase:
    """Text handle, gzip by suffix, UTF-8 with an optional BOM."""
    if path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    """Stream a delimited file as dicts with lower-cased, trimmed column names. Comma or tab (taken from
    the header line). Tab-separated files are read without quoting, as Athena vocabulary files are
    written. Short rows are padded with ''."""
    with open_text(path) as fh:
        header_line = fh.readline()
        if not header_line:
            return
        tab = header_line.count("\t") > header_line.count(",")
        if tab:
            header = [h.strip().lower() for h in header_line.rstrip("\r\n").split("\t")]
            reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        else:
            header = [h.strip().lower() for h in next(csv.reader([header_line]))]
            reader = csv.reader(fh)
        n = len(header)
        for row in reader:
            if not row:
                continue
            if len(row) < n:
                row = row + [""] * (n - len(row))
            yield dict(zip(header, row))


def find_file(src: Path, *names: str) -> Path | None:
    """First file in `src` whose name, case-insensitively, is one of `names` (e.g. `person.csv`)."""
    wanted = [n.lower() for n in names]
    try:
        entries = {p.name.lower(): p for p in src.iterdir() if p.is_file()}
    except OSError:
        return None
    for w in wanted:
        if w in entries:
            return entries[w]
    return None


def find_table(src: Path, stem: str, exts: Iterable[str] = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz")
               ) -> Path | None:
    return find_file(src, *(stem + e for e in exts))


def header_of(path: Path) -> list[str]:
    try:
        with open_text(path) as fh:
            line = fh.readline()
    except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile):
        return []
    sep = "\t" if line.count("\t") > line.count(",") else ","
    return [h.strip().strip('"').lower() for h in line.rstrip("\r\n").split(sep)]


# --------------------------------------------------------------------------------------------- output


class CanonicalWriter:
    """The four canonical CSV files. Patients are collected (other tables add death dates and sites)
    and written on close; the other files are streamed."""

    def __init__(self, dest: Path, report: MappingReport):
        dest.mkdir(parents=True, exist_ok=True)
        self.dest = dest
        self.report = report
        self.patients: dict[str, dict[str, str]] = {}
        self._handles = {}
        self._writers = {}
        self.counts: Counter[str] = Counter()
        self.ids: dict[str, set[str]] = {"prescriptions": set(), "labs": set(), "events": set()}
        for name in ("prescriptions", "labs", "events"):
            fh = open(dest / f"{name}.csv", "w", encoding="utf-8", newline="")
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(CANONICAL_COLUMNS[name])
            self._handles[name] = fh
            self._writers[name] = w

    def patient(self, patient_id: str) -> dict[str, str]:
        p = self.patients.get(patient_id)
        if p is None:
            p = {c: "" for c in CANONICAL_COLUMNS["patients"]}
            p["patient_id"] = patient_id
            self.patients[patient_id] = p
        return p

    def write(self, name: str, row: dict) -> None:
        self._writers[name].writerow([fmt(row.get(c)) for c in CANONICAL_COLUMNS[name]])
        self.counts[name] += 1

    def close(self) -> None:
        with open(self.dest / "patients.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(CANONICAL_COLUMNS["patients"])
            for p in self.patients.values():
                w.writerow([fmt(p.get(c)) for c in CANONICAL_COLUMNS["patients"]])
        self.counts["patients"] = len(self.patients)
        for fh in self._handles.values():
            fh.close()
        self.report.rows_written = {n: self.counts.get(n, 0)
                                    for n in ("patients", "prescriptions", "labs", "events")}

    def __enter__(self) -> "CanonicalWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            for fh in self._handles.values():
                fh.close()


def fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if v != v:  # NaN
            return ""
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    return str(v).strip()


# --------------------------------------------------------------------------------------------- parsers

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?))?")


def iso_date(s: str | None) -> str | None:
    """`YYYY-MM-DD` from an ISO date or datetime (time and offset dropped: the local calendar day), or
    a compact `YYYYMMDD`; None if empty or not a date."""
    if not s:
        return None
    s = s.strip()
    m = _DATE.match(s) or _DATE_COMPACT.match(s)
    if not m:
        return None
    y, mo, d = (int(x) for x in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def iso_datetime(s: str | None) -> str | None:
    """`YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` (local wall-clock time, any offset dropped)."""
    if not s:
        return None
    s = s.strip()
    m = _DATETIME.match(s)
    if not m:
        return iso_date(s)
    day, time = m.groups()
    if iso_date(day) is None:
        return None
    if not time or time in ("00:00", "00:00:00"):
        return day
    if len(time) == 5:
        time += ":00"
    return f"{day} {time}"


def num(s) -> float | None:
    if s is None:
        return None
    if isinstance(s, (int, float)):
        return float(s)
    s = str(s).strip()
    if not s:
        return None
    try:
        v = float(s)
    except ValueError:
        return None
    return v if v == v else None


def positive(s) -> float | None:
    """A number > 0, else None: OMOP ETLs write 0 for an unknown quantity or days_supply."""
    v = num(s)
    return v if v is not None and v > 0 else None


def int_or_none(v: float | None) -> int | None:
    return None if v is None else int(round(v))


MASS_TO_MG = {"mg": 1.0, "g": 1000.0, "gm": 1000.0, "mcg": 0.001, "ug": 0.001, "µg": 0.001, "microgram": 0.001,
              "milligram": 1.0, "gram": 1000.0, "kg": 1_000_000.0}


def mass_to_mg(value: float | None, unit: str | None) -> float | None:
    if value is None or not unit:
        return None
    u = unit.strip().lower()
    f = MASS_TO_MG.get(u) or MASS_TO_MG.get(u.rstrip("s"))
    return None if f is None else value * f


# "azathioprine 50 MG Oral Tablet", "Imuran 25 mg", "50mg Tablet" (MIMIC prod_strength)
_STRENGTH = re.compile(r"(\d+(?:\.\d+)?)\s*(mg|mcg|g)\b(?!\s*/)", re.IGNORECASE)


def strength_from_name(name: str | None) -> tuple[float | None, str | None]:
    """Strength per unit from a single-ingredient product name (`... 50 MG Oral Tablet`): exactly one
    `<number> mg|g|mcg` not followed by `/` (a concentration), and no ` / ` (a combination product)."""
    if not name or " / " in name:
        return None, None
    found = _STRENGTH.findall(name)
    if len(found) != 1:
        return None, None
    value, unit = found[0]
    unit = unit.lower()
    return float(value), unit


# --------------------------------------------------------------------------------------------- codelists


def _codelist_rows(name: str) -> list[dict[str, str]]:
    path = CODELISTS_DIR / name
    if not path.exists():
        return []
    return list(read_csv(path))


class AzathioprineCodes:
    """The project's azathioprine codelist, plus OMOP concept ids of azathioprine products."""

    INGREDIENT_RXNORM = "1256"
    INGREDIENT_CONCEPT_ID = "19014878"

    def __init__(self) -> None:
        self.codes = {r["code"].strip().lower() for r in _codelist_rows("azathioprine_codes.csv") if r.get("code")}
        self.fragments = [r["fragment"].strip().lower() for r in _codelist_rows("azathioprine_names.csv")
                          if r.get("fragment")]
        self.omop_concepts: dict[str, tuple[str, str]] = {}
        for r in read_csv(HERE / "omop_azathioprine_concepts.csv"):
            self.omop_concepts[r["concept_id"]] = (r["concept_code"], r["concept_name"])

    def by_name(self, name: str | None) -> bool:
        n = (name or "").lower()
        return any(f in n for f in self.fragments)

    def by_code(self, code: str | None) -> bool:
        return bool(code) and code.strip().lower() in self.codes

    def recognised(self, name: str | None, code: str | None) -> bool:
        return self.by_name(name) or self.by_code(code)


class InfectionCodes:
    """The clinical events the readers recognise (infection_codes.csv): serious infection and sepsis,
    blood transfusion, malignancy, MS relapse and an adverse reaction to azathioprine, by code (SNOMED exact;
    ICD-10 and ICD-9 diagnoses, ICD-9 and ICD-10-PCS procedures by prefix, dots ignored) or by name."""

    def __init__(self) -> None:
        self.snomed: dict[str, tuple[str, str]] = {}
        self.icd_prefixes: list[tuple[str, str, str]] = []
        self.names: list[tuple[re.Pattern, str]] = []
        self.exclude: list[re.Pattern] = []
        for r in read_csv(HERE / "infection_codes.csv"):
            system, code, etype = r["system"].strip().upper(), r["code"].strip(), r["event_type"].strip()
            if system == "SNOMED":
                self.snomed[code] = (etype, r.get("description", ""))
            elif system in ("ICD10", "ICD9", "ICD9PROC", "ICD10PCS"):
                self.icd_prefixes.append((system, code.replace(".", "").upper(), etype))
            elif system == "NAME":
                self.names.append((re.compile(code, re.IGNORECASE), etype))
            elif system == "EXCLUDE_NAME":
                self.exclude.append(re.compile(code, re.IGNORECASE))
        # longest prefix first, so that e.g. a sepsis code wins over a broader one
        self.icd_prefixes.sort(key=lambda t: -len(t[1]))

    def snomed_type(self, code: str | None) -> str | None:
        hit = self.snomed.get((code or "").strip())
        return hit[0] if hit else None

    def icd_type(self, code: str | None, version: str | None = None) -> str | None:
        c = (code or "").replace(".", "").strip().upper()
        if not c:
            return None
        want = {"9": "ICD9", "10": "ICD10", "9proc": "ICD9PROC", "10pcs": "ICD10PCS"}.get((version or "").strip())
        for system, prefix, etype in self.icd_prefixes:
            if (want and system != want) or (not want and system in ("ICD9PROC", "ICD10PCS")):
                continue  # procedure codes only where the reader says the code is a procedure
            if c.startswith(prefix):
                return etype
        return None

    def name_type(self, name: str | None) -> str | None:
        n = name or ""
        if not n or any(p.search(n) for p in self.exclude):
            return None
        for pattern, etype in self.names:
            if pattern.search(n):
                return etype
        return None

    def classify(self, *, snomed: str | None = None, icd: str | None = None, icd_version: str | None = None,
                 name: str | None = None) -> str | None:
        return self.snomed_type(snomed) or self.icd_type(icd, icd_version) or self.name_type(name)


def read_names(report, path: Path, id_column: str, name_column: str, missing_reason: str) -> dict[str, str]:
    """A lookup table (care sites, organisations): id -> name (the id when the name is empty), reported
    as a `lookup` source with its rows mapped or unmapped."""
    names: dict[str, str] = {}
    mapping = report.table(path.name, "lookup")
    for row in read_csv(path):
        key = (row.get(id_column) or "").strip()
        if key:
            names[key] = (row.get(name_column) or "").strip() or key
            mapping.mapped()
        else:
            mapping.unmapped(missing_reason)
    return names

