"""Profiles: the monitoring schedule and every rule parameter, read from `profiles/<name>.toml`.

A profile may `extends` another; its sections override the parent's keys. Parameters are flattened to one
dict (keys are unique across sections) and bound into the SQL by name.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .paths import CODELISTS_DIR, PROFILES_DIR

REQUIRED = (
    "maintenance_max_gap_days", "due_soon_after_days", "baseline_lookback_days", "episode_gap_days",
    "default_days_supply", "max_days_supply", "tpmt_mu_l_deficient_below", "tpmt_mu_l_normal_from",
    "tpmt_nmol_deficient_below", "tpmt_nmol_normal_above", "tpmt_intermediate_max_mg_per_kg",
    "max_mg_per_kg_day", "start_max_mg_per_kg_day", "xoi_max_dose_fraction", "weight_lookback_days", "cumulative_limit_mg", "cumulative_approaching_mg",
    "duration_limit_days", "wbc_low", "neutrophils_low", "lymphocytes_low", "platelets_low", "alt_high",
    "ast_high", "infection_restart_window_days", "post_stop_first_year_days",
    "post_stop_gap_first_year_days", "post_stop_gap_later_days", "min_treatment_days", "stop_reason_days", "abnormal_repeat_days",
    "relapse_restart_days", "transfusion_tpmt_days", "recent_days", "recent_relapse_days",
    "escalate_after_days", "review_expiry_days",
    "compliance_months", "compliance_lookback_days", "lymphocyte_min_episode_days",
    "lymphocyte_baseline_days", "lymphocyte_ratio_low", "lymphocyte_ratio_high",
    "lymphocyte_ratio_target", "suppress_at_or_below", "round_to",
)


# Disclosure control cannot be loosened below these by a profile (a count of 4 is never shared).
MINIMUM = {"suppress_at_or_below": 5, "round_to": 1, "max_days_supply": 1, "episode_gap_days": 1}


class ProfileError(ValueError):
    """A profile that cannot be used: unknown name, bad file, missing or ill-typed parameter."""


@dataclass(frozen=True)
class InductionWindow:
    window_no: int
    start_offset: int  # days after episode start, inclusive
    end_offset: int  # days after episode start, inclusive


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    params: dict[str, Any]
    induction: tuple[dict[str, int], ...]
    source: Path
    chain: tuple[str, ...] = field(default=())
    monitored_tests: tuple[str, ...] = ("CBC", "LFT")

    @property
    def induction_windows(self) -> list[InductionWindow]:
        windows, offset = [], 0
        for block in self.induction:
            for _ in range(block["times"]):
                windows.append(InductionWindow(len(windows) + 1, offset, offset + block["every_days"] - 1))
                offset += block["every_days"]
        return windows

    @property
    def maintenance_start_days(self) -> int:
        """M - episode start: the length of the induction schedule."""
        return sum(block["every_days"] * block["times"] for block in self.induction)

    def sql_params(self) -> dict[str, Any]:
        """Every parameter the SQL may bind, the derived ones included."""
        return {**self.params, "maintenance_start_days": self.maintenance_start_days,
                "monitored_tests": list(self.monitored_tests)}

    def as_dict(self) -> dict[str, Any]:
        """For run.json and the report's methods section."""
        return {
            "name": self.name,
            "description": self.description,
            "extends": list(self.chain[1:]),
            "induction": [dict(b) for b in self.induction],
            "induction_windows": [
                {"window": w.window_no, "from_day": w.start_offset, "to_day": w.end_offset}
                for w in self.induction_windows
            ],
            "maintenance_start_days": self.maintenance_start_days,
            "monitored_tests": list(self.monitored_tests),
            "parameters": dict(sorted(self.params.items())),
        }


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))


def _read(name: str) -> dict[str, Any]:
    path = PROFILES_DIR / f"{name}.toml"
    if not path.is_file():
        raise ProfileError(f"unknown profile {name!r}; available: {', '.join(available_profiles())}")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"profiles/{name}.toml: {exc}") from None


def load_profile(name: str = "default") -> Profile:
    chain: list[str] = []
    docs: list[dict[str, Any]] = []
    current: str | None = name
    while current:
        if current in chain:
            raise ProfileError(f"profile {name!r}: 'extends' loops through {current!r}")
        chain.append(current)
        doc = _read(current)
        docs.append(doc)
        current = doc.get("extends")
    params: dict[str, Any] = {}
    induction: list[dict[str, int]] | None = None
    monitored: list[str] | None = None
    for doc in reversed(docs):  # parent first, child overrides
        for section, values in doc.items():
            if not isinstance(values, dict):
                continue
            for key, value in values.items():
                if key == "induction":
                    induction = value
                elif key == "monitored_tests":
                    monitored = value
                else:
                    params[key] = value
    missing = [key for key in REQUIRED if key not in params]
    if missing:
        raise ProfileError(f"profile {name!r} lacks parameter(s): {', '.join(missing)}")
    for key, value in params.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ProfileError(f"profile {name!r}: parameter {key} must be a number, got {value!r}")
        if not math.isfinite(value) or value < 0:
            raise ProfileError(f"profile {name!r}: parameter {key} must be a finite number >= 0, got {value!r}")
    for key, low in MINIMUM.items():
        if params[key] < low:
            raise ProfileError(f"profile {name!r}: parameter {key} must be at least {low}, got {params[key]!r}")
    if not induction:
        raise ProfileError(f"profile {name!r}: schedule.induction is empty")
    groups = test_groups()
    if not monitored or not isinstance(monitored, list) or any(t not in groups for t in monitored) \
            or len(set(monitored)) != len(monitored):
        raise ProfileError(f"profile {name!r}: schedule.monitored_tests must list test groups among "
                           f"{', '.join(groups)}, got {monitored!r}")
    for block in induction:
        if set(block) != {"every_days", "times"} or min(block.values()) < 1:
            raise ProfileError(f"profile {name!r}: each induction block needs every_days >= 1 and times >= 1")
    return Profile(
        name=docs[0].get("name", name),
        description=docs[0].get("description", ""),
        params=params,
        induction=tuple(dict(b) for b in induction),
        source=PROFILES_DIR / f"{name}.toml",
        chain=tuple(chain),
        monitored_tests=tuple(monitored),
    )


def test_groups() -> list[str]:
    """The test groups a profile may monitor (codelists/test_groups.csv)."""
    import csv

    with (CODELISTS_DIR / "test_groups.csv").open(newline="", encoding="utf-8") as handle:
        return [row["test"] for row in csv.DictReader(handle)]
