"""The small-number rule, the one pure function every shareable count passes through.

Semantics of ehrQL's ``ehrql/measures/disclosure_control.py`` (OpenSAFELY): a count at or below the
threshold (profile ``suppress_at_or_below``, 7) is suppressed, 0 included ("none" is as disclosive as
"one" when a reader knows who is on the list); every other count is rounded to the nearest multiple of
``base`` (profile ``round_to``, 5); with integer counts and base 5 there is never a tie, for other bases a
tie rounds half to even (Python's ``round``, as ehrQL). A negative count is a bug upstream and is refused.
A suppressed count is returned as ``None``, never 0, so that it cannot be mistaken for a true zero.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import pandas as pd

DEFAULT_THRESHOLD = 7
DEFAULT_BASE = 5


def params_from_profile(profile: Mapping[str, Any] | None) -> dict[str, int]:
    """``{"threshold": ..., "base": ...}`` from a profile (``Profile.as_dict()``, its ``parameters`` or a flat
    parameter dict); defaults when absent."""
    profile = profile or {}
    flat = profile.get("parameters", profile)
    return {
        "threshold": int(flat.get("suppress_at_or_below", DEFAULT_THRESHOLD)),
        "base": int(flat.get("round_to", DEFAULT_BASE)),
    }


def suppress_count(n: Any, threshold: int = DEFAULT_THRESHOLD, base: int = DEFAULT_BASE) -> int | None:
    """The shareable form of a count: ``None`` when ``n <= threshold``, else ``n`` rounded to the nearest
    multiple of ``base``. ``None`` / NaN in gives ``None`` out (nothing to share). Negative or fractional
    counts raise ``ValueError``."""
    if n is None or (isinstance(n, float) and math.isnan(n)) or n is pd.NA:
        return None
    if isinstance(n, bool):
        raise ValueError(f"a count must be an integer, got {n!r}")
    if isinstance(n, float):
        if not n.is_integer():
            raise ValueError(f"a count must be a whole number, got {n!r}")
        n = int(n)
    try:
        n = int(n)  # numpy integers, Decimal
    except (TypeError, ValueError):
        raise ValueError(f"a count must be an integer, got {n!r}") from None
    if n < 0:
        raise ValueError(f"a count cannot be negative, got {n}")
    if base < 1 or threshold < 0:
        raise ValueError("base must be >= 1 and threshold >= 0")
    if n <= threshold:
        return None
    return int(base * round(n / base))


def rate(numerator: int | None, denominator: int | None) -> float | None:
    """numerator / denominator, or ``None`` when either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator
