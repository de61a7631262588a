"""Every setting of the audit, in one place: the environment variables (with their one default each) and
`RunSettings`, what one audit run audits and where it writes.

The CLI, the Dagster resources, the schedule and the sensor all read the environment through `env()`;
nothing else in the project calls `os.environ` for an `AZA_AUDIT_*` variable. The README's table of
variables is this module's `VARIABLES` (a test keeps the two in step).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    meaning: str


VARIABLES: dict[str, Variable] = {v.name: v for v in (
    Variable("AZA_AUDIT_EXTRACTS", "data/demo-extracts",
             "the extract directory the UI, the schedule and the sensor audit (default: the one `make demo` writes)"),
    Variable("AZA_AUDIT_DB", "data/audit.duckdb", "the DuckDB file"),
    Variable("AZA_AUDIT_DUCKDB_MEMORY", "2GB",
             "DuckDB's working memory; past it DuckDB spills to disk, so memory stays bounded whatever the extract size"),
    Variable("AZA_AUDIT_REVIEWS", "data/reviews",
             "the folder of review files the care team returns (CSV, or worklist.xlsx saved back)"),
    Variable("AZA_AUDIT_REPORTS", "reports", "where `reports/<as-of>/` and `reports/latest` go"),
    Variable("AZA_AUDIT_PROFILE", "default", "the monitoring profile"),
    Variable("AZA_AUDIT_REGISTRY_NAME", "MS registry", "the name in the report header"),
    Variable("AZA_AUDIT_CRON", "0 2 * * *", "when the nightly schedule runs (cron syntax)"),
    Variable("AZA_AUDIT_TIMEZONE", "Europe/London", "the schedule's timezone"),
    Variable("AZA_AUDIT_SMTP_HOST", "", "when set, the nightly digest (counts only) and run-failure notices are "
             "sent through this SMTP server"),
    Variable("AZA_AUDIT_SMTP_PORT", "25", "the SMTP server's port"),
    Variable("AZA_AUDIT_SMTP_FROM", "aza-audit@localhost", "the digest's sender"),
    Variable("AZA_AUDIT_SMTP_TO", "", "the digest's recipients, comma-separated"),
    Variable("AZA_AUDIT_SMTP_USER", "", "SMTP login (with AZA_AUDIT_SMTP_PASSWORD), when the server needs one"),
    Variable("AZA_AUDIT_SMTP_PASSWORD", "", "SMTP password"),
    Variable("AZA_AUDIT_SMTP_STARTTLS", "", "`1` to use STARTTLS"),
    Variable("AZA_AUDIT_SQL_TIMINGS", "", "`1` to print the seconds of every SQL statement of `sql/` to standard "
             "error (its file and number, never a value): a profile of the stages, for `make bench`"),
)}


# Dates outside these years are not plausible in a registry extract (quarantined) nor as an as-of date.
PLAUSIBLE_YEARS = (1900, 2100)


def env(name: str) -> str:
    """The value of an `AZA_AUDIT_*` variable, or its default (an empty value counts as unset)."""
    return os.environ.get(name) or VARIABLES[name].default


def is_set(name: str) -> bool:
    return bool(os.environ.get(name))


@dataclass(frozen=True)
class RunSettings:
    """What one run audits and where it writes. `output_dir` is the one place the output folder is
    computed: `out_dir` when given, else `<reports_dir>/<as-of>/`."""

    extracts_dir: Path
    as_of: date
    profile: str = "default"
    out_dir: Path | None = None  # None: <reports_dir>/<as-of>/
    db_path: Path = Path(VARIABLES["AZA_AUDIT_DB"].default)
    format: str | None = None  # None: detected
    registry_name: str = VARIABLES["AZA_AUDIT_REGISTRY_NAME"].default
    reports_dir: Path = Path(VARIABLES["AZA_AUDIT_REPORTS"].default)
    reviews_dir: Path | None = Path(VARIABLES["AZA_AUDIT_REVIEWS"].default)  # None: no review files

    @property
    def output_dir(self) -> Path:
        return Path(self.out_dir) if self.out_dir is not None else Path(self.reports_dir) / self.as_of.isoformat()

    def as_dict(self) -> dict:
        values = asdict(self)
        return {k: (str(v) if isinstance(v, (Path, date)) else v) for k, v in values.items()}
