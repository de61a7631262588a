"""Secondary suppression: what else to hide in a table so that no suppressed cell can be worked back.

Within a group of rows that add up to a total row (the sites of one rule, or of one month), if exactly one
site cell of a count column is suppressed, the next-smallest shown site cell is suppressed too, so that the
suppressed cell cannot be recovered by subtracting the other sites from the total (a row that already has
a suppressed count is preferred, so that whole site rows disappear rather than scattered cells). If a group
has a single site cell and it is suppressed, the total is suppressed instead.

Cells linked by arithmetic are hidden together:
- a rate's numerator is hidden whenever its denominator is (a numerator alone bounds the hidden one);
- ``force_hidden``: cells another table hides (the same patients counted there; see ``disclosure.apply``);
- ``hide_with``: a column hidden whenever another is (findings with the patients flagged: a patient's 18
  findings are not shown when the one patient is hidden; rows accepted with rows quarantined).
The result is checked again until nothing changes. Rates are recomputed from the rounded counts.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from .rule import DEFAULT_BASE, DEFAULT_THRESHOLD, rate, suppress_count


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
    hide_with: Mapping[str, str] | None = None,
    force_hidden: Mapping[str, Sequence[bool]] | None = None,
) -> pd.DataFrame:
    """A copy of ``df`` safe to share.

    - ``count_cols``: every count column; each cell goes through ``suppress_count``.
    - ``group_col``: the column naming the site (or other part); the row whose value is ``total_label`` is
      the total of the other rows of its group.
    - ``by``: the columns that identify a group (e.g. ``rule_id``, or ``month_end``): secondary suppression is
      applied within each group and each count column.
    - ``rates``: ``{rate_col: (numerator_col, denominator_col)}`` recomputed from the rounded counts.
    - ``drop``: columns removed before anything else (e.g. unrounded rates).
    - ``hide_with``: ``{column: other}``: ``column`` is hidden in every row where ``other`` is.
    - ``force_hidden``: ``{column: mask}``: cells hidden to start with (another table hides the same count).

    Cells whose input count is missing (e.g. a rule not evaluated) stay missing and are not treated as
    suppressed. Suppressed cells are ``None``. Count columns come out as nullable integers (``Int64``).
    """
    out = df.drop(columns=list(drop), errors="ignore").copy().reset_index(drop=True)
    raw_missing = {col: out[col].map(_is_missing) for col in count_cols}
    for col in count_cols:
        out[col] = pd.array([suppress_count(v, threshold, base) for v in out[col]], dtype="Int64")
    suppressed = {col: out[col].isna() & ~raw_missing[col] for col in count_cols}
    for col, mask in (force_hidden or {}).items():  # hidden because another table hides the same count
        hide = pd.Series(list(mask), index=out.index, dtype=bool) & ~suppressed[col] & ~raw_missing[col]
        out.loc[hide, col] = pd.NA
        suppressed[col] = suppressed[col] | hide

    groups = out.groupby(list(by), dropna=False, sort=False).groups if by else {None: out.index}
    links = [(num, den) for num, den in (rates or {}).values()] + list((hide_with or {}).items())
    changed = True
    while changed:  # secondary suppression and linked cells can feed each other: repeat until stable
        changed = False
        for index in groups.values():
            index = list(index)
            total_rows = [i for i in index if out.at[i, group_col] == total_label]
            part_rows = [i for i in index if out.at[i, group_col] != total_label]
            for col in count_cols:
                changed |= _secondary(out, col, count_cols, suppressed, raw_missing, part_rows, total_rows)
        # a numerator is not shown without its denominator (it would only bound the hidden one), nor a
        # hide_with column without its other
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
