"""The seeded synthetic MS registry behind `aza-audit demo`.

`generate(out_dir, patients, seed, as_of)` writes the extract files of CONTRACT.md (`patients.csv`,
`prescriptions.csv`, `labs.csv`, `events.csv`, `sites.csv`) plus `scenarios.csv` (`patient_id, scenario, expected_rules`):
the scenario each patient was built from and the RULES.md rule_ids it was built to trigger (only rules that
fire by construction under the default profile; other rules may also fire).

Everything is generated patient by patient from one seeded `random.Random` and written through `csv.writer`
as it goes, so memory stays flat and the same seed and as-of give byte-identical files. All dates are set
relative to `as_of`; records dated after it appear only as deliberate dirty rows.

Dirty rows (a small share of each file, never attached to a patient with expected rules) are counted per
file and kind in the returned manifest:

- `missing_required`  a required value is empty
- `bad_date`          an unparseable date (`2023-13-45`, `12/03/2021`, ...)
- `bad_number`        an unparseable number (prescriptions, labs)
- `nonpositive`       zero or negative quantity or strength (prescriptions)
- `duplicate_id`      a repeat of an earlier row's id (an exact copy of that row)
- `unknown_patient`   a patient_id that is in no patients row (prescriptions, labs, events)
- `future_date`       a date after as_of
- `no_test_id`        a lab row with neither test_code nor test_name

The package: `catalogue` (columns, clinics, drug and lab catalogues), `patient` (one patient's records and the
helpers scenarios build with), `scenarios/` (one module per scenario, the common course in `scenarios/base.py`,
every threshold from the default profile), `generator` (the writer, the deck, the dirty rows).

Rows whose text fields contain commas (quoted by csv) are valid rows; they are counted in
`manifest["quoted_comma_rows"]`, not as dirty.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .catalogue import DIRTY_KINDS, FILE_COLUMNS
from .generator import Generator
from .scenarios import SCENARIOS

__all__ = ["generate", "SCENARIOS", "FILE_COLUMNS", "DIRTY_KINDS"]


def generate(out_dir: Path, patients: int = 2000, seed: int = 20261126, as_of: date | None = None) -> dict:
    """Write a synthetic registry extract (and scenarios.csv) into out_dir; return the manifest."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if as_of is None:
        as_of = date.today()
    if patients < 1:
        raise ValueError("patients must be at least 1")
    g = Generator(out_dir, int(patients), int(seed), as_of)
    g.run()
    dirty_totals: dict[str, int] = {}
    for f, kinds in g.dirty.items():
        for k, n in kinds.items():
            dirty_totals[k] = dirty_totals.get(k, 0) + n
    return {
        "seed": int(seed),
        "patients": int(patients),
        "as_of": as_of.isoformat(),
        "rows": dict(g.rows),
        "dirty": dirty_totals,
        "dirty_by_file": {f: dict(k) for f, k in g.dirty.items()},
        "dirty_rows": {"sites": 0} | {f: sum(k.values()) for f, k in g.dirty.items()},
        "quoted_comma_rows": dict(g.quoted),
        "scenarios": dict(g.scen_counts),
    }

