"""Small-number suppression: the one choke point for anything shared beyond the care team.

Every count that leaves the care team (``summary_shareable.csv``, ``report_shareable.html``) passes through
this module. The semantics follow ehrQL's ``ehrql/measures/disclosure_control.py`` (OpenSAFELY):

- a count at or below the threshold (default 7, profile ``suppress_at_or_below``) is suppressed. 0 is
  suppressed too: "none" is as disclosive as "one" when a reader knows who is on the list;
- every other count is rounded to the nearest multiple of ``base`` (default 5, profile ``round_to``). With
  integer counts and base 5 there is never a tie; for other bases a tie rounds half to even, as Python's
  ``round`` does in ehrQL;
- a negative count is a bug upstream and is refused (``ValueError``), as ehrQL asserts.

One deliberate difference from ehrQL: a suppressed count is returned as ``None`` (an empty cell, "suppressed"
in the report), not as 0, so that a reader can never mistake a suppressed cell for a true zero.

Rates are never suppressed or rounded on their own: they are recomputed from the rounded counts
(``None`` when either count is suppressed or the denominator is 0), as ehrQL does for measure ratios.

Site tables get secondary suppression (``shareable_table``): within a group of rows that add up to a total
row (the sites of one rule, or of one month), if exactly one site cell of a count column is suppressed, the
next-smallest shown site cell is suppressed too, so that the suppressed cell cannot be recovered by
subtracting the other sites from the total (a row that already has a suppressed count is preferred, so that
whole site rows disappear rather than scattered cells). If a group has a single site cell and it is
suppressed, the total is suppressed instead. A rate's numerator is suppressed whenever its denominator is (a
numerator alone only bounds the hidden denominator). The result is checked again until nothing changes.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

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


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def shareable_table(
    df: pd.DataFrame,
    count_cols: Sequence[str],
    group_col: str,
    total_label: str = "ALL",
    *,
    by: Sequence[str] = (),
    rates: Mapping[str, tuple[str, str]] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    base: int = DEFAULT_BASE,
    drop: Iterable[str] = (),
) -> pd.DataFrame:
    """A copy of ``df`` safe to share.

    - ``count_cols``: every count column; each cell goes through ``suppress_count``.
    - ``group_col``: the column naming the site (or other part); the row whose value is ``total_label`` is
      the total of the other rows of its group.
    - ``by``: the columns that identify a group (e.g. ``rule_id``, or ``month_end``): secondary suppression is
      applied within each group and each count column.
    - ``rates``: ``{rate_col: (numerator_col, denominator_col)}`` recomputed from the rounded counts.
    - ``drop``: columns removed before anything else (e.g. unrounded rates).

    Cells whose input count is missing (e.g. a rule not evaluated) stay missing and are not treated as
    suppressed. Suppressed cells are ``None``. Count columns come out as nullable integers (``Int64``).
    """
    out = df.drop(columns=list(drop), errors="ignore").copy().reset_index(drop=True)
    raw_missing = {col: out[col].map(_is_missing) for col in count_cols}
    for col in count_cols:
        out[col] = pd.array([suppress_count(v, threshold, base) for v in out[col]], dtype="Int64")
    suppressed = {col: out[col].isna() & ~raw_missing[col] for col in count_cols}

    groups = out.groupby(list(by), dropna=False, sort=False).groups if by else {None: out.index}
    links = [(num, den) for num, den in (rates or {}).values()]
    changed = True
    while changed:  # secondary suppression and linked cells can feed each other: repeat until stable
        changed = False
        for index in groups.values():
            index = list(index)
            total_rows = [i for i in index if out.at[i, group_col] == total_label]
            part_rows = [i for i in index if out.at[i, group_col] != total_label]
            for col in count_cols:
                changed |= _secondary(out, col, count_cols, suppressed, raw_missing, part_rows, total_rows)
        # a numerator is not shown without its denominator (it would only bound the hidden one)
        for num, den in links:
            hide = suppressed[den] & ~suppressed[num] & ~raw_missing[num]
            if hide.any():
                out.loc[hide, num] = pd.NA
                suppressed[num] = suppressed[num] | hide
                changed = True

    for rate_col, (num, den) in (rates or {}).items():
        out[rate_col] = [
            rate(None if pd.isna(n) else int(n), None if pd.isna(d) else int(d))
            for n, d in zip(out[num], out[den])
        ]
        out[rate_col] = out[rate_col].astype("float64")
    return out


def _secondary(out, col, count_cols, suppressed, raw_missing, part_rows, total_rows) -> bool:
    """Suppress more cells of one column of one group until no part cell can be recovered by subtraction.
    The extra cell is the smallest shown one, preferring a row that already has a suppressed count."""
    changed = False
    while True:
        hidden = [i for i in part_rows if suppressed[col][i]]
        total_hidden = all(suppressed[col][i] or raw_missing[col][i] for i in total_rows) if total_rows else True
        if len(hidden) != 1 or total_hidden:
            return changed
        shown = [i for i in part_rows if not suppressed[col][i] and not raw_missing[col][i]]
        if shown:
            def preference(i):
                already = any(suppressed[c][i] for c in count_cols if c != col)
                return (not already, int(out.at[i, col]), i)

            targets = [min(shown, key=preference)]
        else:  # a single part: hiding the total is the only way
            targets = total_rows
        for i in targets:
            out.at[i, col] = pd.NA
            suppressed[col].loc[i] = True
        changed = True
