"""Helpers for the format-reader tests: where the third-party data lives, reading the canonical output, and
the codelist matching rules of codelists/README.md restated in Python (to check that what a reader writes is
what the pipeline will recognise)."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXTERNAL = REPO.parent / "shared" / "external-data"
CODELISTS = REPO / "codelists"

EUNOMIA = EXTERNAL / "eunomia-synthea27nj-omop54"
MIMIC = EXTERNAL / "mimic-iv-demo-2.2"
SYNTHEA_CSV = EXTERNAL / "synthea-ca59" / "csv"
SYNTHEA_FHIR = EXTERNAL / "synthea-ca59" / "fhir"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"third-party test data not found at {path} (expected beside the repository, in "
                    f"shared/external-data/; see its README.md)")
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_out(dest: Path) -> dict[str, list[dict[str, str]]]:
    return {n: read_rows(dest / f"{n}.csv") for n in ("patients", "prescriptions", "labs", "events")}


def assert_reconciled(report) -> None:
    assert report.tables, "no source table reported"
    for t in report.tables:
        assert t.rows_read == t.rows_mapped + t.rows_unmapped, t
        assert t.rows_unmapped == sum(t.unmapped_reasons.values()), t
    d = report.as_dict()
    assert d["format"] == report.format and len(d["tables"]) == len(report.tables)


def copy_tree(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    for p in dest.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    return dest


# ---- codelist rules (codelists/README.md)

def _norm(name: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w*/]+", " ", name.lower())).strip()


class Codelists:
    def __init__(self) -> None:
        self.lab_codes = {r["loinc"]: r["analyte"] for r in read_rows(CODELISTS / "lab_codes.csv")}
        self.lab_names = {_norm(r["name"]): r["analyte"] for r in read_rows(CODELISTS / "lab_names.csv")}
        self.units = {r["unit"].lower().replace(" ", ""): r["quantity"] for r in read_rows(CODELISTS / "units.csv")}
        self.aza_codes = {r["code"].lower() for r in read_rows(CODELISTS / "azathioprine_codes.csv")}
        self.aza_names = [r["fragment"].lower() for r in read_rows(CODELISTS / "azathioprine_names.csv")]

    def analyte(self, row: dict[str, str]) -> str | None:
        code = (row.get("test_code") or "").strip()
        if code in self.lab_codes:
            return self.lab_codes[code]
        name = row.get("test_name") or ""
        candidates = [_norm(name), _norm(re.sub(r"\([^)]*\)", " ", name))]
        candidates += [_norm(m) for m in re.findall(r"\(([^)]*)\)", name)]
        for c in candidates:
            if c in self.lab_names:
                return self.lab_names[c]
        return None

    def unit_quantity(self, unit: str) -> str | None:
        return self.units.get((unit or "").lower().replace(" ", ""))

    def is_aza(self, row: dict[str, str]) -> bool:
        return (row.get("drug_code") or "").strip().lower() in self.aza_codes or \
            any(f in (row.get("drug_name") or "").lower() for f in self.aza_names)


def analytes_with_units(labs: list[dict[str, str]], cl: Codelists) -> dict[str, set[str]]:
    """analyte -> the set of unit quantities (count, enzyme, percent, ...; `?unit` when units.csv does not
    know the unit) of the rows mapped to it."""
    out: dict[str, set[str]] = {}
    for r in labs:
        a = cl.analyte(r)
        if a:
            out.setdefault(a, set()).add(cl.unit_quantity(r["unit"]) or f"?{r['unit']}")
    return out
