"""The settings of one audit run, shared by the CLI, the schedule and the sensor."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

DEFAULT_DB = "data/audit.duckdb"
DEFAULT_REPORTS = "reports"


def default_db_path() -> str:
    return os.environ.get("AZA_AUDIT_DB", DEFAULT_DB)


@dataclass(frozen=True)
class RunSettings:
    extracts_dir: Path
    as_of: date
    profile: str = "default"
    out_dir: Path | None = None  # None: reports/<as-of>/
    db_path: Path = Path(DEFAULT_DB)
    format: str | None = None  # None: detected
    registry_name: str = "MS registry"

    @property
    def output_dir(self) -> Path:
        return self.out_dir if self.out_dir is not None else Path(DEFAULT_REPORTS) / self.as_of.isoformat()

    def as_dict(self) -> dict:
        values = asdict(self)
        return {k: (str(v) if isinstance(v, (Path, date)) else v) for k, v in values.items()}
