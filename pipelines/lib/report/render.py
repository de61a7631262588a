"""Turn the report's data into template contexts and HTML.

Two contexts come out of one ``Aggregates``:

- ``care_team_context``: every count as it is, plus the patient-level parts (worklist, changes, examples);
- ``shareable_context``: from the disclosure-controlled copy of the aggregates (``disclosure.apply``, done
  once by the caller) and nothing else. It has no patient-level key at all, so the template cannot show one
  by mistake (``StrictUndefined`` fails instead).

Both come from one builder, ``_base_context``; a count cell may hold ``disclosure.SUPPRESSED``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from .. import disclosure
from ..disclosure import SUPPRESSED
from . import charts
from .data import SEVERITIES, Aggregates, _as_date, _na
from .indicators import INDICATORS
from ..runinfo import RunInfo

TEMPLATES = Path(__file__).parent / "templates"


LIMITATIONS = (
    "Prescriptions written outside the registry's source systems (other hospitals, primary care) are invisible: "
    "a patient may be on azathioprine, or on a preferred disease-modifying therapy, without it showing here.",
    "A prescription is not proof that the drug was dispensed, collected or taken; exposure, episodes and "
    "cumulative dose are estimated from prescribed quantities and supply.",
    "Blood tests done in other laboratories (GP surgeries, other trusts) are missing unless they were entered "
    "in the registry; a monitoring gap may be a recording gap.",
    "TPMT results recorded only as free text that matches no known phenotype count as a test but give no "
    "phenotype; dose checks need a weight recorded in the year before the prescription.",
    "Infections, relapses and clinic visits are seen only when the optional events file is supplied; rules "
    "that need it are reported as not evaluated, never as zero.",
    "Dates after the as-of date are ignored by the rules; deaths recorded after the as-of date are not "
    "known to this run.",
)


# --- formatting filters ------------------------------------------------------------------------------


def fmt_count(value: Any) -> Markup | str:
    if value is SUPPRESSED:
        return Markup('<span class="supp" title="Suppressed: 7 or fewer, or withheld so that a small count '
                      'cannot be worked out from the others">suppressed</span>')
    if value is None or _na(value):
        return "–"
    return f"{int(value):,}"


def raw_count(value: Any) -> str:
    """A count for a data attribute: digits, "suppressed" or empty."""
    if value is SUPPRESSED:
        return "suppressed"
    if value is None or _na(value):
        return ""
    return str(int(value))


def fmt_rate(value: Any) -> str:
    if value is None or value is SUPPRESSED or _na(value):
        return "–"
    return f"{float(value) * 100:.1f}%"


def fmt_date(value: Any) -> str:
    if value is None or _na(value):
        return ""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%d")
    return str(value)


def fmt_number(value: Any) -> str:
    if value is None or _na(value):
        return ""
    value = float(value)
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def sort_key(value: Any) -> str:
    """A data-sort attribute: ISO dates and zero-padded numbers sort as strings."""
    if value is None or _na(value):
        return ""
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return fmt_date(value)
    return str(value)


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"], default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # sentence: the first letter upper-cased, the rest as written (Jinja's capitalize lowercases "TPMT")
    env.filters["sentence"] = lambda s: (s[:1].upper() + s[1:]) if s else s
    env.filters.update(count=fmt_count, rawcount=raw_count, rate=fmt_rate, date=fmt_date, number=fmt_number, sortkey=sort_key)
    env.globals["SUPPRESSED"] = SUPPRESSED
    env.tests["suppressed"] = lambda v: v is SUPPRESSED
    return env


def render(template: str, context: dict[str, Any]) -> str:
    env = environment()
    context = dict(context)
    context["css"] = Markup((TEMPLATES / "report.css").read_text(encoding="utf-8"))
    return env.get_template(template).render(**context)


# --- records ---------------------------------------------------------------------------------------------


def _plain(v: Any) -> Any:
    if v is SUPPRESSED:
        return v
    if v is None or _na(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return int(v) if hasattr(v, "__int__") and not isinstance(v, (str, float)) else v


def _records(df: pd.DataFrame | None) -> list[dict[str, Any]]:
    if df is None:
        return []
    return [{k: (v if v is SUPPRESSED else (None if _na(v) else v)) for k, v in row.items()}
            for row in df.to_dict("records")]


def _rows(df: pd.DataFrame | None, counts: list[str], rates: dict | None = None) -> list[dict[str, Any]]:
    """A table's records for a view: counts as plain ints (or SUPPRESSED, or None), each rate recomputed
    from its counts (so a shareable rate comes from the rounded counts, and is None where one is hidden)."""
    recs = _records(df)
    for rec in recs:
        for c in counts:
            rec[c] = _plain(rec[c])
        for r, (num, den) in (rates or {}).items():
            rec[r] = disclosure.rate(_num(rec[num]), _num(rec[den]))
    return recs


# --- context -------------------------------------------------------------------------------------------


def _num(v):
    return None if v is None or v is SUPPRESSED else v


_INDICATOR_RATE = {"rate": ("numerator", "denominator")}


def outlier_sites(ind, sites: list[dict], overall: float | None) -> dict[str, str]:
    """{site: "better" | "worse"} for the sites beyond the 99.8% funnel limits of a rate indicator."""
    out: dict[str, str] = {}
    if ind.kind != "rate" or overall is None:
        return out
    for r in sites:
        num, den = _num(r["numerator"]), _num(r["denominator"])
        if num is not None and den and charts.beyond_limits(num, den, overall, 0.998):
            good = None if ind.higher_is_better is None else (num / den > overall) == ind.higher_is_better
            out[r["site_id"]] = "better" if good else "worse"
    return out


def true_outliers(agg: Aggregates) -> dict[str, dict[str, str]]:
    """The outlier sites of every indicator from the care team's (true) counts: what the shareable report
    shows, where it shows the site, so both reports flag the same sites (rounded counts would not)."""
    rows = _rows(agg.indicators, ["numerator", "denominator"], _INDICATOR_RATE)
    out = {}
    for ind in INDICATORS:
        mine = [r for r in rows if r["indicator"] == ind.key]
        total = next((r for r in mine if r["site_id"] == "ALL"), None)
        out[ind.key] = outlier_sites(ind, [r for r in mine if r["site_id"] != "ALL"],
                                     total.get("rate") if total else None)
    return out


def _indicator_views(agg: Aggregates, profile_params: dict, true_outliers: dict | None = None) -> dict:
    rows = _rows(agg.indicators, ["numerator", "denominator"], _INDICATOR_RATE)
    prev_rows = {}
    if agg.previous_indicators is not None and len(agg.previous_indicators):
        prev = _rows(agg.previous_indicators, ["numerator", "denominator"], _INDICATOR_RATE)
        prev_rows = {(r["indicator"], r["site_id"]): r for r in prev}
    limit_g = profile_params["cumulative_limit_mg"] / 1000
    limit_years = profile_params["duration_limit_days"] / 365.25
    labels = {
        "over_600g": f"Cumulative dose over {limit_g:,.0f} g",
        "over_10_years": f"Treated for over {limit_years:.0f} years",
    }
    views = []
    for ind in INDICATORS:
        mine = [r for r in rows if r["indicator"] == ind.key]
        total = next((r for r in mine if r["site_id"] == "ALL"), None)
        sites = sorted((r for r in mine if r["site_id"] != "ALL"), key=lambda r: str(r["site_id"]))
        previous = prev_rows.get((ind.key, "ALL"))
        change = None
        if total and previous:
            if ind.kind == "count":
                a, b = _num(total["numerator"]), _num(previous["numerator"])
                if a is not None and b is not None:
                    change = {"value": a - b, "text": f"{a - b:+,}", "unit": "count"}
            else:
                a, b = total.get("rate"), previous.get("rate")
                if a is not None and b is not None:
                    d = round((a - b) * 100, 1)  # the change as shown: a rounded 0 is no change, never "-0.0"
                    change = {"value": d, "text": "no change" if d == 0 else f"{d:+.1f} pts", "unit": "points"}
        direction = "flat"
        if change and abs(change["value"]) > 1e-9 and ind.higher_is_better is not None:
            better = (change["value"] > 0) == ind.higher_is_better
            direction = "better" if better else "worse"
        overall = total.get("rate") if total else None
        target = profile_params.get(f"target_{ind.key}")
        target_met = None
        if target is not None and overall is not None and ind.higher_is_better is not None:
            target_met = overall >= target if ind.higher_is_better else overall <= target
        after = None  # care team only (disclosure.CARE_TEAM_ONLY): the figure after exceptions
        if total and _num(total.get("exceptions")):
            after = {"exceptions": _plain(total["exceptions"]), "numerator": _plain(total["numerator_after"]),
                     "denominator": _plain(total["denominator_after"]),
                     "rate": disclosure.rate(_plain(total["numerator_after"]), _plain(total["denominator_after"]))}
        funnel = None
        # outliers from the true counts (`true_outliers`, for the shareable report) or from these; shown only
        # where the site's counts are shown
        found = (true_outliers or {}).get(ind.key, {}) if true_outliers is not None else \
            outlier_sites(ind, sites, overall)
        shown = {r["site_id"] for r in sites if _num(r["numerator"]) is not None and _num(r["denominator"]) is not None}
        outliers = [{"site": s, "direction": d} for s, d in sorted(found.items(), key=lambda kv: str(kv[0]))
                    if s in shown]
        if ind.kind == "rate" and sites:
            points = [(r["site_id"], _num(r["numerator"]), _num(r["denominator"])) for r in sites]
            funnel = charts.funnel_svg(points, overall, labels.get(ind.key, ind.label),
                                       bool(ind.higher_is_better),
                                       flagged={o["site"]: o["direction"] for o in outliers})
        views.append({
            "key": ind.key, "label": labels.get(ind.key, ind.label), "kind": ind.kind,
            "higher_is_better": ind.higher_is_better, "numerator_text": ind.numerator,
            "denominator_text": ind.denominator, "total": total or {"numerator": None, "denominator": None, "rate": None},  # no row: no data, not 0
            "previous": previous, "change": change, "direction": direction, "sites": sites, "after": after,
            "outliers": outliers, "target": target, "target_met": target_met,
            "funnel": Markup(funnel) if funnel else None,
        })
    return {"indicators": views}


_COMPLIANCE_COUNTS = ["patients_active", "patients_compliant"]
MIN_SHARED_POINTS = 3  # a shareable run chart with fewer shown months (or quarters) is not drawn
_COMPLIANCE_RATE = {"rate": ("patients_compliant", "patients_active")}


def _series(rows: list[dict], group_col: str, group, period_col: str) -> tuple[list, list, list]:
    """(periods, n, x) of one site (or rule) from a table's records, leaving out periods whose counts are not
    shown."""
    pts = sorted((r for r in rows if r[group_col] == group and _num(r["patients_active"])
                  and _num(r["patients_compliant"]) is not None), key=lambda r: r[period_col])
    return ([_as_date(r[period_col]) for r in pts], [r["patients_active"] for r in pts],
            [r["patients_compliant"] for r in pts])


def true_signals(agg: Aggregates) -> dict[str, dict]:
    """The special causes of every p-chart from the care team's (true) counts: the shareable report draws its
    charts from rounded counts but marks these, and only on the points it shows."""
    out: dict[str, dict] = {"compliance": {}, "compliance_quarterly": {}, "rates_by_month": {}, "rates_by_quarter": {}}
    for name, period in (("compliance", "month_end"), ("compliance_quarterly", "quarter_end")):
        df = getattr(agg, name)
        if df is None or not len(df):
            continue
        rows = _rows(df, _COMPLIANCE_COUNTS)
        for site in {r["site_id"] for r in rows}:
            out[name][site] = charts.true_signals(*_series(rows, "site_id", site, period), higher_is_better=True)
    for name in ("rates_by_month", "rates_by_quarter"):
        df = getattr(agg, name)
        if df is None or not len(df):
            continue
        rows = _rows(df, ["patients_evaluated", "patients_flagged"])
        for rule_id in {r["rule_id"] for r in rows}:
            pts = sorted((r for r in rows if r["rule_id"] == rule_id and r["patients_evaluated"]),
                         key=lambda r: r["month"])
            out[name][rule_id] = charts.true_signals(
                [_as_date(r["month"]) for r in pts], [r["patients_evaluated"] for r in pts],
                [r["patients_flagged"] for r in pts], higher_is_better=False)
    return out


def _compliance_views(agg: Aggregates, lookback: int, target: float | None = None,
                      monitored: list[str] | None = None, signals: dict | None = None) -> dict:
    """The compliance p-charts: all sites by month, and the sites by month (or by quarter in the shareable
    report when months are too small to show: `disclosure.apply` then leaves `compliance_quarterly` and no
    monthly site rows). `signals`: special causes from the true counts (`true_signals`), for the shareable
    report; None computes them from the counts given (the care team's true counts)."""
    if agg.compliance is None or not len(agg.compliance):
        return {"compliance": None}
    rows = _rows(agg.compliance, _COMPLIANCE_COUNTS, _COMPLIANCE_RATE)
    overall = _series(rows, "site_id", "ALL", "month_end")
    if not overall[0]:  # no month with a patient on treatment: no chart, a sentence
        return {"compliance": {"empty": True}}
    given = signals or {}
    by_quarter = agg.compliance_quarterly is not None and not any(r["site_id"] != "ALL" for r in rows)
    site_rows, period = (_rows(agg.compliance_quarterly, _COMPLIANCE_COUNTS, _COMPLIANCE_RATE), "quarter_end") \
        if by_quarter else (rows, "month_end")
    site_signals = given.get("compliance_quarterly" if by_quarter else "compliance") if signals is not None else None
    # a site with no period of patients on treatment gets no panel ("no data" panels say nothing)
    sites = sorted({r["site_id"] for r in site_rows if r["site_id"] != "ALL"
                    and _series(site_rows, "site_id", r["site_id"], period)[0]}, key=str)
    groups = " and ".join(monitored or ["CBC", "LFT"])
    overall_signals = None if signals is None else given.get("compliance", {}).get("ALL", {})
    overall_svg = charts.pchart_svg(*overall, f"All sites: {groups} in the previous {lookback} days",
                                    higher_is_better=True, target=target, signals=overall_signals)
    title = "Monitoring compliance by site, by quarter" if by_quarter else "Monitoring compliance by site"
    grid = charts.pchart_grid_svg({s: _series(site_rows, "site_id", s, period) for s in sites}, title,
                                  signals=site_signals) if sites else None
    table = sorted((r for r in rows if r["site_id"] == "ALL"), key=lambda r: r["month_end"])
    verdict = None
    months, n, x = overall
    if months:
        n_arr, x_arr = [float(v) for v in n], [float(v) for v in x]
        centre = sum(x_arr) / sum(n_arr)
        sigma = [(centre * (1 - centre) / v) ** 0.5 for v in n_arr]
        marks = charts.true_signals(months, n, x) if overall_signals is None else overall_signals
        latest = marks.get(months[-1])
        signals_count = sum(1 for m in months if m in marks)
        verdict = {
            "variation": {"improvement": "special cause: improvement", "concern": "special cause: concern"}.get(
                latest, "common cause variation"),
            "assurance": charts.assurance(target, max(0.0, centre - 3 * sigma[-1]), min(1.0, centre + 3 * sigma[-1])),
            "signals": signals_count,
        }
    return {"compliance": {
        "overall_svg": Markup(overall_svg) if overall_svg else None,
        "grid_svg": Markup(grid) if grid else None,
        "months": table,
        "sites": sites,
        "by_quarter": by_quarter,
        "target": target,
        "verdict": verdict,
    }}


def _rates_by_month_views(agg: Aggregates, signals: dict | None = None) -> dict:
    """Run charts (p-charts) of each rule's rate by month of initiation, all sites; in the shareable report a
    rule whose months are too small to show is drawn by quarter (`disclosure.apply` leaves it in
    `rates_by_quarter` and out of `rates_by_month`)."""
    monthly = agg.rates_by_month
    quarterly = agg.rates_by_quarter if signals is not None else None  # the care team's months are all shown
    if monthly is None or not (len(monthly) or (quarterly is not None and len(quarterly))):
        return {"rates_by_month": None}
    frames = [monthly] + ([quarterly] if quarterly is not None and len(quarterly) else [])
    by_quarter = set(quarterly["rule_id"]) if len(frames) > 1 else set()
    rows = _rows(pd.concat(frames, ignore_index=True), ["patients_evaluated", "patients_flagged"],
                 {"rate": ("patients_flagged", "patients_evaluated")})
    usable = [r for r in rows if _num(r["patients_evaluated"]) and _num(r["patients_flagged"]) is not None]
    series = {}
    titles = {r["rule_id"]: r.get("title") or r["rule_id"] for r in _records(agg.rule_catalog)}
    skipped, too_small = [], []
    for rule_id in sorted({r["rule_id"] for r in rows}, key=lambda r: titles.get(r, r)):
        pts = sorted((r for r in usable if r["rule_id"] == rule_id), key=lambda r: r["month"])
        if signals is not None and len(pts) < MIN_SHARED_POINTS:
            # shareable: too few periods can be shown (a hidden count may be 0 or small: never said which)
            too_small.append(titles.get(rule_id, rule_id))
            continue
        if not pts or not any(r["patients_flagged"] for r in pts):
            skipped.append(titles.get(rule_id, rule_id))  # a rule that did not fire in the window: no flat panel
            continue
        label = titles.get(rule_id, rule_id) + (" (by quarter)" if rule_id in by_quarter else "")
        series[label] = ([_as_date(r["month"]) for r in pts], [r["patients_evaluated"] for r in pts],
                         [r["patients_flagged"] for r in pts])
    given = None
    if signals is not None:
        by_title = {titles.get(rule, rule): marks for rule, marks in signals.get("rates_by_month", {}).items()
                    if rule not in by_quarter}
        by_title |= {titles.get(rule, rule) + " (by quarter)": marks
                     for rule, marks in signals.get("rates_by_quarter", {}).items() if rule in by_quarter}
        given = {name: by_title.get(name, {}) for name in series}
    grid = charts.pchart_grid_svg(series, "Rule rates by month of initiation", higher_is_better=False,
                                  floor=0.0, sharey=False, signals=given)
    return {"rates_by_month": {"grid_svg": Markup(grid) if grid else None, "rules": len(series),
                               "skipped": skipped, "too_small": too_small,
                               "min_points": MIN_SHARED_POINTS}}


def _sparkline(values: list[int], labels: list[str]) -> Markup:
    """Rows per month as a small inline bar chart (12 bars), each with its month and count as hover text; a
    month with no rows is a red tick."""
    width, height, gap = 4, 16, 1
    top = max(values) or 1
    bars = []
    for i, (v, label) in enumerate(zip(values, labels)):
        h = max(1.0, height * v / top)
        colour = "#c0392b" if v == 0 else "#1d4e89"
        bars.append(f'<rect x="{i * (width + gap)}" y="{height - h:.1f}" width="{width}" height="{h:.1f}" '
                    f'fill="{colour}"><title>{escape(label)}: {v:,} rows</title></rect>')
    total = len(values) * (width + gap)
    return Markup(f'<svg class="spark" width="{total}" height="{height}" viewBox="0 0 {total} {height}" role="img" '
                  f'aria-label="rows per month, last 12 months">{"".join(bars)}</svg>')


def _dq_views(agg: Aggregates, run: RunInfo) -> dict:
    files = _rows(agg.file_counts, ["rows_read", "rows_accepted", "rows_quarantined"])
    reasons = _rows(agg.quarantine_reasons, ["rows"])
    expectations = _rows(agg.expectations, ["element_count", "unexpected_count"],
                         {"share": ("unexpected_count", "element_count")}) \
        if agg.expectations is not None else None
    unmapped = _rows(agg.unmapped, ["rows"]) if agg.unmapped is not None else None
    not_evaluated = [r for r in _records(agg.rule_catalog) if r.get("evaluated") is False]
    mapping = None
    if agg.mapping is not None and len(agg.mapping):
        mapping = {"format": (run.mapping or {}).get("format"),
                   "tables": _rows(agg.mapping, ["rows_read", "rows_mapped", "rows_unmapped"])}
    coverage = {}
    if agg.coverage is not None and len(agg.coverage):
        for r in _records(agg.coverage):
            monthly = [int(v) for v in r["monthly_rows"]]
            coverage[r["file"]] = {"first_date": r["first_date"], "last_date": r["last_date"],
                                   "spark": _sparkline(monthly, list(r["months"]))}
    relevant = [u for u in (unmapped or []) if u.get("looks_like")]
    return {"files": files, "reasons": reasons, "expectations": expectations, "unmapped": unmapped,
            "not_evaluated": not_evaluated, "mapping": mapping, "coverage": coverage,
            "unmapped_relevant": relevant}


def _summary_rows(rule_summary) -> list[dict]:
    return _rows(rule_summary, ["patients_evaluated", "patients_flagged", "findings"],
                 {"rate": ("patients_flagged", "patients_evaluated")})


def _rule_totals(catalog: dict, summary: list[dict]) -> list[dict]:
    """The all-sites row of every rule with its title, severity and why, most severe first."""
    totals = [dict(r, severity=catalog.get(r["rule_id"], {}).get("severity"),
                   title=catalog.get(r["rule_id"], {}).get("title") or r["rule_id"],
                   why=catalog.get(r["rule_id"], {}).get("why") or "")
              for r in summary if r["site_id"] == "ALL"]
    order = {s: i for i, s in enumerate(SEVERITIES)}
    totals.sort(key=lambda r: (order.get(r["severity"], 9), r["rule_id"]))
    return totals


def _rules_views(agg: Aggregates, profile_params) -> dict:
    catalog = {r["rule_id"]: r for r in _records(agg.rule_catalog)}
    summary = _summary_rows(agg.rule_summary)
    totals = _rule_totals(catalog, summary)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    methods = []
    for rule_id, c in sorted(catalog.items(), key=lambda kv: (order.get(kv[1].get("severity"), 9), kv[0])):
        names = agg.rule_parameters.get(rule_id, [])
        methods.append(dict(c, fires_when=with_values(c.get("fires_when"), profile_params),
                            parameters=[(n, profile_params.get(n)) for n in names]))
    severity = {r["severity"]: r for r in _rows(agg.severity_counts, ["findings", "patients"])}
    sev_rows = [dict(severity.get(s, {"findings": 0, "patients": 0}), severity=s) for s in SEVERITIES]
    changes = None
    if agg.changes_by_rule is not None:
        changes = _rows(agg.changes_by_rule, ["new_findings", "escalated_findings", "resolved_findings"])
        for c in changes:
            c["title"] = catalog.get(c["rule_id"], {}).get("title") or c["rule_id"]
    by_site = None
    if agg.changes_by_site is not None:
        by_site = _rows(agg.changes_by_site, ["new_findings", "escalated_findings", "resolved_findings"])
    return {"rule_totals": totals, "site_summary": summary, "methods": methods, "severity_rows": sev_rows,
            "changes_by_rule": changes, "changes_by_site": by_site}


def _equity_views(agg: Aggregates) -> dict:
    """The rate indicators by age band and by sex: one table per dimension, a row per group, a column per
    indicator (counts as the disclosure step left them; rates from those counts)."""
    if agg.equity is None or not len(agg.equity):
        return {"equity": None}
    rows = _rows(agg.equity, ["numerator", "denominator"], _INDICATOR_RATE)
    keys = [i.key for i in INDICATORS if i.kind == "rate" and any(r["indicator"] == i.key for r in rows)]
    tables = []
    for dimension, title in (("age", "Age at the as-of date"), ("sex", "Sex")):
        mine = [r for r in rows if r["dimension"] == dimension]
        groups = sorted({(r["position"], r["group"]) for r in mine}, key=lambda pg: (pg[0], str(pg[1])))
        cells = {(r["group"], r["indicator"]): r for r in mine}
        tables.append({"dimension": dimension, "title": title, "rows": [
            {"group": "All patients" if group == "ALL" else group, "is_total": group == "ALL",
             "cells": [cells.get((group, k)) for k in keys]} for _, group in groups]})
    labels = {i.key: i.label for i in INDICATORS}
    gaps = []  # per dimension, the indicator whose shown group rates lie furthest apart
    for t in tables:
        best = None
        for position, key in enumerate(keys):
            shown = [(r["cells"][position]["rate"], r["group"]) for r in t["rows"] if not r["is_total"]
                     and r["cells"][position] and r["cells"][position]["rate"] is not None]
            if len(shown) >= 2:
                (low, low_group), (high, high_group) = min(shown), max(shown)
                if high - low > 0 and (best is None or high - low > best["spread"]):
                    best = {"dimension": t["title"].lower(), "label": labels[key], "spread": high - low,
                            "high": high, "high_group": high_group, "low": low, "low_group": low_group}
        if best:
            gaps.append(best)
    return {"equity": {"indicators": [{"key": k, "label": labels[k]} for k in keys], "tables": tables,
                       "gaps": gaps}}


_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def with_values(text: str | None, params: dict[str, Any]) -> str | None:
    """``fires_when`` with each ``$parameter`` replaced by the profile's value (``as_of`` by 'the as-of date')."""
    if not text:
        return text

    def value(match):
        name = match.group(1)
        if name == "as_of":
            return "the as-of date"
        if name in params:
            v = params[name]
            return f"{v:g}" if isinstance(v, float) else str(v)
        return match.group(0)

    return _PARAM.sub(value, text)


def _header(run: RunInfo, out_dir: Path) -> dict:
    profile = run.profile
    data_docs = run.data_docs
    link = None
    if data_docs:
        if Path(data_docs).is_absolute():
            base = Path(run.final_out_dir or out_dir).absolute()
            link = Path(os.path.relpath(Path(data_docs), base)).as_posix()
        else:  # already relative to the output folder
            link = Path(data_docs).as_posix()
    return {
        "registry_name": run.registry_name,
        "as_of": fmt_date(run.as_of),
        "profile": profile,
        "profile_name": profile.get("name", ""),
        "run_id": run.run_id,
        "version": run.version,
        "codelist_version": run.codelist_version,
        "timings": run.timings,
        "events_present": run.events_present,
        "data_docs_link": link,
        "generated_at": run.generated_at or dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "limitations": LIMITATIONS,
        "profile_parameters": sorted((profile.get("parameters") or {}).items()),
        "induction_windows": profile.get("induction_windows") or [],
        "maintenance_start_days": profile.get("maintenance_start_days"),
        "compliance_lookback_days": profile["parameters"]["compliance_lookback_days"],
        "compliance_months": profile["parameters"]["compliance_months"],
    }


def _base_context(agg: Aggregates, run: RunInfo, out_dir, shareable: bool, outliers: dict | None = None,
                  signals: dict | None = None) -> dict:
    """The one context builder of both reports: `agg` is the care team's aggregates, or their
    disclosure-controlled copy (`disclosure.apply`) for the shareable report."""
    run = RunInfo.of(run)
    profile_params = run.params
    params = disclosure.params_from_profile(run.profile)
    prev = agg.previous_run
    ctx = {
        "shareable": shareable,
        "disclosure": params,
        "previous_run": {"run_id": prev["run_id"], "as_of": fmt_date(prev["as_of"])} if prev else None,
        **_header(run, out_dir),
        **_indicator_views(agg, profile_params, outliers),
        **_compliance_views(agg, profile_params["compliance_lookback_days"],
                            profile_params.get("target_monitoring_compliance"),
                            list(run.profile.get("monitored_tests") or []), signals),
        **_rates_by_month_views(agg, signals),
        **_dq_views(agg, run),
        **_rules_views(agg, profile_params),
        **_equity_views(agg),
        "site_names": {} if agg.site_names is None else
        {str(r["site_id"]): str(r["site_name"]) for r in _records(agg.site_names)},
        "findings_total": agg.findings_total,
        "severities": SEVERITIES,
        "warnings": [{"code": w["code"], "message": w["shareable_message"] if shareable else w["message"]}
                     for w in run.warnings],
    }
    return ctx


def rule_totals(rule_catalog, rule_summary) -> list[dict]:
    """The all-sites row of every rule with its title and severity, most severe first (the report's rules
    table and worklist.xlsx's Summary), from the frames of report/rule_catalog.sql and
    report/rule_summary_rows.sql alone: worklist.xlsx is started before the report's aggregates."""
    return _rule_totals({r["rule_id"]: r for r in _records(rule_catalog)}, _summary_rows(rule_summary))


def care_team_context(agg: Aggregates, run: RunInfo, out_dir, worklist_summary: dict[str, int],
                      retrospective: list[dict], changes: dict[str, list], examples: dict) -> dict:
    """The care-team report's context: the shared base, plus the patient-level parts (the worklist in
    numbers, the retrospective findings per rule, the changed findings, expectation examples)."""
    ctx = _base_context(agg, run, out_dir, shareable=False)
    if ctx["expectations"]:
        for e in ctx["expectations"]:
            e["examples"] = examples.get((e["suite"], e["expectation"], e["column_name"]))
    by_rule: dict[str, dict] = {}
    titles = {r["rule_id"]: r for r in ctx["rule_totals"]}
    for row in retrospective:
        entry = by_rule.setdefault(row["rule_id"], {"rule_id": row["rule_id"], "rows": [],
                                                    "total": int(row["rule_total"]),
                                                    "title": (titles.get(row["rule_id"]) or {}).get("title")})
        entry["rows"].append(row)
    ctx.update(worklist_summary=worklist_summary, retrospective=list(by_rule.values()), changes=changes)
    return ctx


def shareable_context(shared: Aggregates, run: RunInfo, out_dir, outliers: dict | None = None,
                      signals: dict | None = None) -> dict:
    """The shareable report's context, from `shared = disclosure.apply(aggregates, params)`, and the outlier
    and special-cause status of the true counts (`true_outliers`, `true_signals`), shown only for the sites
    and periods whose counts are shown."""
    return _base_context(shared, run, out_dir, shareable=True, outliers=outliers, signals=signals)
