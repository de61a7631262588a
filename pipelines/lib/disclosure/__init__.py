"""Disclosure control: the one seam between the care team's numbers and anything shared beyond it.

    shareable = disclosure.apply(aggregates, params)     # Aggregates -> Aggregates, pure

Both reports are rendered from one context builder; the shareable one is given `apply`'s result and
nothing else (no patient-level part, no free text). Inside:

- `rule.suppress_count`: the small pure rule (7 or fewer suppressed, the rest rounded to 5);
- `secondary.shareable_table`: what else a table must hide so that no suppressed cell can be worked back
  (secondary, complementary and linked suppression);
- `TABLES`: how each table of the report is shaped (its counts, site column, groups, rates, links), so
  that every table sharing a denominator is suppressed by the same rules.

In the result, a count cell holds an int, `None` (no value: a rule not evaluated) or `SUPPRESSED`.
Free-text tables (unmapped drug and test names) are dropped; data-quality rows are listed only where
their count can be shown, so that a listed line never says "zero or not".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping

import pandas as pd

from .rule import DEFAULT_BASE, DEFAULT_THRESHOLD, params_from_profile, rate, suppress_count
from .secondary import shareable_table

__all__ = ["SUPPRESSED", "TABLES", "apply", "params_from_profile", "rate", "shareable_table", "suppress_count",
           "DEFAULT_BASE", "DEFAULT_THRESHOLD"]


class Suppressed:
    """A count withheld by disclosure control (shown as 'suppressed'; an empty cell in CSV)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SUPPRESSED"


SUPPRESSED = Suppressed()


@dataclass(frozen=True)
class Table:
    counts: tuple[str, ...]
    group_col: str | None = None  # the site column; its "ALL" row is the total of the others
    by: tuple[str, ...] = ()
    rates: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    hide_with: Mapping[str, str] = field(default_factory=dict)
    listed_only_when_shown: bool = False  # a row exists only because its count is not zero: list it only
    #                                       when that count can be shown


TABLES: dict[str, Table] = {
    "indicators": Table(("numerator", "denominator"), "site_id", ("indicator",),
                        {"rate": ("numerator", "denominator")}),
    "previous_indicators": Table(("numerator", "denominator"), "site_id", ("indicator",),
                                 {"rate": ("numerator", "denominator")}),
    "rule_summary": Table(("patients_evaluated", "patients_flagged", "findings"), "site_id", ("rule_id",),
                          {"rate": ("patients_flagged", "patients_evaluated")},
                          hide_with={"findings": "patients_flagged"}),
    "compliance": Table(("patients_active", "patients_compliant"), "site_id", ("month_end",),
                        {"rate": ("patients_compliant", "patients_active")}),
    "compliance_quarterly": Table(("patients_active", "patients_compliant"), "site_id", ("quarter_end",),
                                  {"rate": ("patients_compliant", "patients_active")}),
    "rates_by_month": Table(("patients_evaluated", "patients_flagged"), None, ("rule_id", "month"),
                            {"rate": ("patients_flagged", "patients_evaluated")}),
    "rates_by_quarter": Table(("patients_evaluated", "patients_flagged"), None, ("rule_id", "month"),
                              {"rate": ("patients_flagged", "patients_evaluated")}),
    "file_counts": Table(("rows_read", "rows_accepted", "rows_quarantined"),
                         hide_with={"rows_accepted": "rows_quarantined"}),
    "mapping": Table(("rows_read", "rows_mapped", "rows_unmapped"), hide_with={"rows_mapped": "rows_unmapped"}),
    "quarantine_reasons": Table(("rows",), listed_only_when_shown=True),
    "expectations": Table(("element_count", "unexpected_count"), hide_with={"success": "unexpected_count"}),
    "changes_by_rule": Table(("new_findings", "escalated_findings", "resolved_findings"), listed_only_when_shown=False),
    "changes_by_site": Table(("new_findings", "escalated_findings", "resolved_findings"), "site_id"),
    # the indicators by age band and by sex: each dimension's groups add up to its 'ALL' row, the indicator's
    # overall figure (the same count as the indicators table's 'ALL' row)
    "equity": Table(("numerator", "denominator"), "group", ("indicator", "dimension"),
                    {"rate": ("numerator", "denominator")}),
    "severity_counts": Table(("findings", "patients"), hide_with={"findings": "patients"}),
}
DROPPED = ("unmapped", "coverage")  # free text from the data, and extreme dates (one patient's): never shared
# Columns that stay with the care team: the indicators after exceptions (their difference from the measured
# figures is a count of exceptions, which secondary suppression does not cover).
CARE_TEAM_ONLY = {"indicators": ("numerator_after", "denominator_after", "exceptions")}


def _is_missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def share_frame(df: pd.DataFrame, table: Table, params: Mapping[str, int],
                force_hidden: Mapping[str, list[bool]] | None = None) -> pd.DataFrame:
    """One table through disclosure control: count cells become int, None (no value) or SUPPRESSED.
    `force_hidden`: cells to hide whatever their count (another table hides the same patients)."""
    df = df.reset_index(drop=True)
    counts = list(table.counts)
    linked = {k: v for k, v in table.hide_with.items() if k not in counts}  # non-count cells hidden with a count
    missing = {c: df[c].map(_is_missing) for c in counts}
    if table.group_col is None:
        out = df.copy()
        for c in counts:
            out[c] = pd.array([suppress_count(v, **params) for v in df[c]], dtype="Int64")
        hidden = {c: out[c].isna() & ~missing[c] for c in counts}
        for col, other in table.hide_with.items():
            if col in counts:
                extra = hidden[other] & ~missing[col]
                out.loc[extra, col] = pd.NA
                hidden[col] = hidden[col] | extra
    else:
        out = shareable_table(df, counts, table.group_col, by=list(table.by), rates=dict(table.rates),
                              hide_with={k: v for k, v in table.hide_with.items() if k in counts},
                              force_hidden=force_hidden, **params)
        hidden = {c: out[c].isna() & ~missing[c] for c in counts}
    for c in counts:
        out[c] = pd.Series([None if missing[c][i] else (SUPPRESSED if hidden[c][i] else int(v))
                            for i, v in enumerate(out[c])], dtype=object)
    for col, other in linked.items():
        out[col] = pd.Series([SUPPRESSED if hidden[other][i] else v for i, v in enumerate(out[col])], dtype=object)
    for rate_col, (num, den) in table.rates.items():
        out[rate_col] = [rate(n if isinstance(n, int) else None, d if isinstance(d, int) else None)
                         for n, d in zip(out[num], out[den])]
    if table.listed_only_when_shown:
        out = out[~_hidden_rows(out, table).values].reset_index(drop=True)
    return out


def _hidden_rows(shared: pd.DataFrame, table: Table) -> pd.Series:
    """Which rows of a shared table have a count withheld."""
    return pd.Series([any(shared[c][i] is SUPPRESSED for c in table.counts) for i in range(len(shared))],
                     dtype=bool)


def _hidden_cells(shared: pd.DataFrame, key: str, column: str) -> set[tuple[str, str]]:
    return {(str(k), str(s)) for k, s, v in zip(shared[key], shared["site_id"], shared[column]) if v is SUPPRESSED}


def _mask(df: pd.DataFrame, key: str, cells: set[tuple[str, str]]) -> list[bool]:
    return [(str(k), str(s)) in cells for k, s in zip(df[key], df["site_id"])]


def _share_linked(summary: pd.DataFrame, indicators: pd.DataFrame, links: Mapping[str, tuple[str, ...]],
                  params: Mapping[str, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rule table and the indicator table share patients: an indicator counts one or more rules'
    population (its denominator) split by whether they are flagged (its numerator, or its complement).
    A cell hidden in one is hidden in the other, then both are suppressed again, until neither changes;
    so no hidden count is worked back by subtracting a cell of one table from a cell of the other."""
    force_summary: dict[str, set] = {"patients_evaluated": set(), "patients_flagged": set()}
    force_indicators: dict[str, set] = {"numerator": set(), "denominator": set()}
    while True:
        rules = share_frame(summary, TABLES["rule_summary"], params,
                            {c: _mask(summary, "rule_id", cells) for c, cells in force_summary.items()})
        shown = share_frame(indicators, TABLES["indicators"], params,
                            {c: _mask(indicators, "indicator", cells) for c, cells in force_indicators.items()})
        flagged, evaluated = (_hidden_cells(rules, "rule_id", c) for c in ("patients_flagged", "patients_evaluated"))
        numerator, denominator = (_hidden_cells(shown, "indicator", c) for c in ("numerator", "denominator"))
        want_ind = {"numerator": set(force_indicators["numerator"]), "denominator": set(force_indicators["denominator"])}
        want_rules = {"patients_flagged": set(force_summary["patients_flagged"]),
                      "patients_evaluated": set(force_summary["patients_evaluated"])}
        for indicator, rule_ids in links.items():
            for rule_id in rule_ids:
                want_ind["numerator"] |= {(indicator, s) for r, s in flagged if r == rule_id}
                want_rules["patients_flagged"] |= {(rule_id, s) for i, s in numerator if i == indicator}
            want_ind["denominator"] |= {(indicator, s) for r, s in evaluated if r == rule_ids[0]}
            want_rules["patients_evaluated"] |= {(rule_ids[0], s) for i, s in denominator if i == indicator}
        if want_ind == force_indicators and want_rules == force_summary:
            return rules, shown
        force_indicators, force_summary = want_ind, want_rules


def _share_compliance(monthly: pd.DataFrame, quarterly: pd.DataFrame | None, params: Mapping[str, int]):
    """Monthly compliance per site, or per quarter when months are too small to show.

    When every site's months can be shown, the monthly table is shared (all sites and the total) and no
    quarterly one. Otherwise the site rows of the monthly table are withheld altogether (only the all-sites
    months are shared) and the sites are shared by quarter, suppressed with their quarterly total: never a site
    both ways, because a month hidden in one could be worked back from the quarter and the two other months."""
    shared = share_frame(monthly, TABLES["compliance"], params)
    sites = shared["site_id"] != "ALL"
    if quarterly is None or not (sites & _hidden_rows(shared, TABLES["compliance"])).any():
        return shared, None
    totals = monthly[monthly["site_id"] == "ALL"]
    return (share_frame(totals, TABLES["compliance"], params),
            share_frame(quarterly, TABLES["compliance_quarterly"], params))


def _share_rates(monthly: pd.DataFrame, quarterly: pd.DataFrame | None, params: Mapping[str, int]):
    """Each rule's rate by month of initiation, or by quarter for a rule with a month too small to show: a rule
    is shared one way only (a hidden month could be worked back from its quarter and the other two months)."""
    table = TABLES["rates_by_month"]
    shared = share_frame(monthly, table, params)
    by_quarter = set(shared.loc[_hidden_rows(shared, table).values, "rule_id"])
    if quarterly is None or not by_quarter:
        return shared, None
    keep = ~monthly["rule_id"].isin(by_quarter)
    return (share_frame(monthly[keep.values], table, params),
            share_frame(quarterly[quarterly["rule_id"].isin(by_quarter).values], TABLES["rates_by_quarter"], params))


def apply(aggregates, params: Mapping[str, int]):
    """The shareable copy of the report's aggregates (a dataclass with the fields of `TABLES`,
    `findings_total` and the free-text tables of `DROPPED`). Pure: the input is not changed."""
    from ..report.indicators import RULE_LINKS

    changes: dict[str, Any] = {}
    for name, columns in CARE_TEAM_ONLY.items():
        df = getattr(aggregates, name, None)
        if df is not None:
            aggregates = dataclasses.replace(aggregates, **{name: df.drop(columns=[c for c in columns if c in df])})
    if aggregates.rule_summary is not None and aggregates.indicators is not None:
        changes["rule_summary"], changes["indicators"] = _share_linked(
            aggregates.rule_summary, aggregates.indicators, RULE_LINKS, params)
    if aggregates.compliance is not None:
        changes["compliance"], changes["compliance_quarterly"] = _share_compliance(
            aggregates.compliance, aggregates.compliance_quarterly, params)
    if aggregates.rates_by_month is not None:
        changes["rates_by_month"], changes["rates_by_quarter"] = _share_rates(
            aggregates.rates_by_month, aggregates.rates_by_quarter, params)
    for name, table in TABLES.items():
        if name in changes:
            continue
        df = getattr(aggregates, name, None)
        if df is None:
            continue
        if name == "severity_counts":  # a severity with no findings is a count of 0: suppressed, not absent
            from ..rules import SEVERITIES

            df = pd.DataFrame({"severity": SEVERITIES}).merge(df, on="severity", how="left").fillna(
                {"findings": 0, "patients": 0})
        changes[name] = share_frame(df, table, params)
    for name in DROPPED:
        changes[name] = None
    total = suppress_count(aggregates.findings_total, **params)
    changes["findings_total"] = SUPPRESSED if total is None else total
    return dataclasses.replace(aggregates, **changes)
