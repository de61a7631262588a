"""Readers that turn what registries and hospitals export (OMOP CDM v5.4, FHIR R4, Synthea CSV, MIMIC-IV
hosp) into the canonical extract files of CONTRACT.md, so that ingest, quarantine, normalise and the rules
never know which format the data came in.

    fmt = detect_format(src)               # "canonical", "omop", "fhir", "synthea" or "mimic"
    report = convert(src, fmt, dest)       # dest/patients.csv, prescriptions.csv, labs.csv, events.csv

Every source table (or FHIR resource type) gets a TableMapping with rows_read = rows_mapped +
rows_unmapped; unmapped rows are counted by reason. Nothing here logs or raises with patient data.
"""

from __future__ import annotations

from pathlib import Path

from ._common import FormatError, MappingReport, TableMapping, find_file, find_table, header_of

# The registry of readers: format -> (module, converter). The CLI's --format choices are FORMATS.
READERS: dict[str, tuple[str, str]] = {
    "omop": ("omop", "convert_omop"),
    "fhir": ("fhir", "convert_fhir"),
    "synthea": ("synthea", "convert_synthea"),
    "mimic": ("mimic", "convert_mimic"),
}
FORMATS = ("canonical", *READERS)

__all__ = ["FORMATS", "FormatError", "MappingReport", "TableMapping", "detect_format", "convert"]

_CANONICAL_REQUIRED = ("patients", "prescriptions", "labs")
_CANONICAL_NAMES = (*_CANONICAL_REQUIRED, "events")


def _has(src: Path, stem: str, exts: tuple[str, ...]) -> bool:
    return find_file(src, *(stem + e for e in exts)) is not None


def _is_canonical(src: Path) -> bool:
    if not all(_has(src, s, (".csv", ".parquet")) for s in _CANONICAL_REQUIRED):
        return False
    p = find_file(src, "patients.csv")
    return p is None or "patient_id" in header_of(p)


def _names_canonical_files(src: Path) -> bool:
    """Something in `src` is named like a canonical extract file (`labs.csv.gz`, a folder or a dangling
    link called `patients.csv`, ...), even though it cannot be read as one."""
    try:
        names = [p.name.lower() for p in src.iterdir()]
    except OSError:
        return False
    return any(name.split(".", 1)[0] in _CANONICAL_NAMES and "." in name for name in names)


def mimic_dir(src: Path) -> Path | None:
    """The folder holding MIMIC-IV hosp tables: `src` itself or `src/hosp`."""
    for d in (src, src / "hosp"):
        if d.is_dir() and find_table(d, "patients", (".csv.gz", ".csv")) and \
                find_table(d, "labevents", (".csv.gz", ".csv")) and find_table(d, "d_labitems", (".csv.gz", ".csv")):
            p = find_table(d, "patients", (".csv.gz", ".csv"))
            if "subject_id" in header_of(p):
                return d
    return None


def _is_omop(src: Path) -> bool:
    person = find_table(src, "person")
    if person is None or "person_id" not in header_of(person):
        return False
    return any(find_table(src, t) for t in ("drug_exposure", "measurement", "observation_period"))


def _is_synthea(src: Path) -> bool:
    p = find_file(src, "patients.csv")
    if p is None:
        return False
    h = header_of(p)
    return "id" in h and "birthdate" in h and any(
        find_file(src, f"{t}.csv") for t in ("medications", "observations", "encounters", "conditions"))


def _is_fhir(src: Path) -> bool:
    from .fhir import fhir_files
    ndjson, bundles = fhir_files(src)
    return bool(ndjson or bundles)


def _is_mimic(src: Path) -> bool:
    return mimic_dir(src) is not None


# Detection order, explicit: the canonical layout first (its patients.csv has patient_id), then MIMIC-IV
# (patients + labevents + d_labitems), OMOP (PERSON), Synthea (patients.csv with Id, BIRTHDATE), FHIR (JSON).
DETECTION_ORDER = (("canonical", _is_canonical), ("mimic", _is_mimic), ("omop", _is_omop),
                   ("synthea", _is_synthea), ("fhir", _is_fhir))


def detect_format(src: Path) -> str:
    """The format of the extract directory `src`, from its file names and headers (and, for FHIR JSON,
    the first bytes of the files). Raises FormatError when nothing fits."""
    src = Path(src)
    if not src.is_dir():
        raise FormatError(f"{src}: not a directory")
    for name, detected in DETECTION_ORDER:
        if detected(src):
            return name
    if _names_canonical_files(src):
        return "canonical"  # the canonical reader says exactly what is wrong with them (exit 2)
    raise FormatError(
        f"{src}: no known extract format. Looked for: canonical patients/prescriptions/labs .csv|.parquet "
        f"(with a patient_id column); MIMIC-IV patients, labevents and d_labitems .csv.gz (here or in hosp/); "
        f"OMOP CDM PERSON with DRUG_EXPOSURE or MEASUREMENT (.csv/.tsv, any case); Synthea patients.csv "
        f"(Id, BIRTHDATE) with medications/observations/encounters/conditions.csv; FHIR R4 *.ndjson or *.json "
        f"Bundles/resources")


def _reader(fmt: str):
    """The converter of a format: one module per format (`formats/<name>.py`), imported when used."""
    from importlib import import_module

    module, function = READERS[fmt]
    return getattr(import_module(f".{module}", __name__), function)


def convert(src: Path, fmt: str, dest: Path) -> MappingReport:
    """Convert `src` (format `fmt`) into the canonical extract files in `dest`, and report the mapping."""
    src, dest = Path(src), Path(dest)
    if fmt not in FORMATS:
        raise FormatError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "canonical":
        raise FormatError("canonical extracts need no conversion; read them directly")
    if not src.is_dir():
        raise FormatError(f"{src}: not a directory")
    if dest.resolve() == src.resolve():
        raise FormatError(f"{dest}: the output directory must differ from the input directory")
    return _reader(fmt)(src, dest)
