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
from markupsafe import Markup

from .. import disclosure
from ..disclosure import SUPPRESSED
from . import charts
from .data import SEVERITIES, Aggregates, _as_date, _na
from .indicators import INDICATORS

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
    env.filters.update(count=fmt_count, rawcount=raw_count, rate=fmt_rate, date=fmt_date, number=fmt_number, sortkey=sort_key)
    env.globals["SUPPRESSED"] = SUPPRESSED
    env.tests["suppressed"] = lambda v: v is SUPPRESSED
    return env


def render(template: str, context: dict[str, Any]) -> str:
    env = environment()
    context = dict(context)
    context["css"] = Markup((TEMPLATES / "report.css").read_text(encoding="utf-8"))
    context["js"] = Markup((TEMPLATES / "report.js").read_text(encoding="utf-8")) if not context["shareable"] else ""
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


def _indicator_views(agg: Aggregates, profile_params: dict) -> dict:
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
                    d = (a - b) * 100
                    change = {"value": d, "text": f"{d:+.1f} pts", "unit": "points"}
        direction = "flat"
        if change and abs(change["value"]) > 1e-9 and ind.higher_is_better is not None:
            better = (change["value"] > 0) == ind.higher_is_better
            direction = "better" if better else "worse"
        overall = total.get("rate") if total else None
        after = None  # care team only (disclosure.CARE_TEAM_ONLY): the figure after exceptions
        if total and _num(total.get("exceptions")):
            after = {"exceptions": _plain(total["exceptions"]), "numerator": _plain(total["numerator_after"]),
                     "denominator": _plain(total["denominator_after"]),
                     "rate": disclosure.rate(_plain(total["numerator_after"]), _plain(total["denominator_after"]))}
        funnel = None
        if ind.kind == "rate" and sites:
            points = [(r["site_id"], _num(r["numerator"]), _num(r["denominator"])) for r in sites]
            funnel = charts.funnel_svg(points, overall, labels.get(ind.key, ind.label),
                                       bool(ind.higher_is_better))
        views.append({
            "key": ind.key, "label": labels.get(ind.key, ind.label), "kind": ind.kind,
            "higher_is_better": ind.higher_is_better, "numerator_text": ind.numerator,
            "denominator_text": ind.denominator, "total": total or {"numerator": None, "denominator": None, "rate": None},  # no row: no data, not 0
            "previous": previous, "change": change, "direction": direction, "sites": sites, "after": after,
            "funnel": Markup(funnel) if funnel else None,
        })
    return {"indicators": views}


def _compliance_views(agg: Aggregates, lookback: int) -> dict:
    if agg.compliance is None or not len(agg.compliance):
        return {"compliance": None}
    rows = _rows(agg.compliance, ["patients_active", "patients_compliant"],
                 {"rate": ("patients_compliant", "patients_active")})
    usable = [r for r in rows if _num(r["patients_active"]) and _num(r["patients_compliant"]) is not None]

    def series(site):
        pts = sorted((r for r in usable if r["site_id"] == site), key=lambda r: r["month_end"])
        return ([_as_date(r["month_end"]) for r in pts], [r["patients_active"] for r in pts],
                [r["patients_compliant"] for r in pts])

    overall = series("ALL")
    sites = sorted({r["site_id"] for r in rows if r["site_id"] != "ALL"}, key=str)
    overall_svg = charts.pchart_svg(*overall, f"All sites: CBC and LFT in the previous {lookback} days")
    grid = charts.pchart_grid_svg({s: series(s) for s in sites}, "Monitoring compliance by site") if sites else None
    table = sorted((r for r in rows if r["site_id"] == "ALL"), key=lambda r: r["month_end"])
    return {"compliance": {
        "overall_svg": Markup(overall_svg) if overall_svg else None,
        "grid_svg": Markup(grid) if grid else None,
        "months": table,
        "sites": sites,
    }}


def _rates_by_month_views(agg: Aggregates) -> dict:
    """Run charts (p-charts) of each rule's rate by month of initiation, all sites."""
    if agg.rates_by_month is None or not len(agg.rates_by_month):
        return {"rates_by_month": None}
    rows = _rows(agg.rates_by_month, ["patients_evaluated", "patients_flagged"],
                 {"rate": ("patients_flagged", "patients_evaluated")})
    usable = [r for r in rows if _num(r["patients_evaluated"]) and _num(r["patients_flagged"]) is not None]
    series = {}
    for rule_id in sorted({r["rule_id"] for r in rows}):
        pts = sorted((r for r in usable if r["rule_id"] == rule_id), key=lambda r: r["month"])
        series[rule_id] = ([_as_date(r["month"]) for r in pts], [r["patients_evaluated"] for r in pts],
                           [r["patients_flagged"] for r in pts])
    grid = charts.pchart_grid_svg(series, "Rule rates by month of initiation")
    return {"rates_by_month": {"grid_svg": Markup(grid) if grid else None, "rules": len(series)}}


def _dq_views(agg: Aggregates, run_info) -> dict:
    files = _rows(agg.file_counts, ["rows_read", "rows_accepted", "rows_quarantined"])
    reasons = _rows(agg.quarantine_reasons, ["rows"])
    expectations = _rows(agg.expectations, ["element_count", "unexpected_count"]) \
        if agg.expectations is not None else None
    unmapped = _rows(agg.unmapped, ["rows"]) if agg.unmapped is not None else None
    not_evaluated = [r for r in _records(agg.rule_catalog) if r.get("evaluated") is False]
    mapping = None
    if agg.mapping is not None and len(agg.mapping):
        mapping = {"format": (run_info.get("mapping") or {}).get("format"),
                   "tables": _rows(agg.mapping, ["rows_read", "rows_mapped", "rows_unmapped"])}
    return {"files": files, "reasons": reasons, "expectations": expectations, "unmapped": unmapped,
            "not_evaluated": not_evaluated, "mapping": mapping}


def _rules_views(agg: Aggregates, profile_params) -> dict:
    catalog = {r["rule_id"]: r for r in _records(agg.rule_catalog)}
    summary = _rows(agg.rule_summary, ["patients_evaluated", "patients_flagged", "findings"],
                    {"rate": ("patients_flagged", "patients_evaluated")})
    totals = [dict(r, severity=catalog.get(r["rule_id"], {}).get("severity"),
                   fires_when=with_values(catalog.get(r["rule_id"], {}).get("fires_when"), profile_params))
              for r in summary if r["site_id"] == "ALL"]
    order = {s: i for i, s in enumerate(SEVERITIES)}
    totals.sort(key=lambda r: (order.get(r["severity"], 9), r["rule_id"]))
    methods = []
    for rule_id, c in sorted(catalog.items(), key=lambda kv: (order.get(kv[1].get("severity"), 9), kv[0])):
        names = agg.rule_parameters.get(rule_id, [])
        methods.append(dict(c, fires_when=with_values(c.get("fires_when"), profile_params),
                            parameters=[(n, profile_params.get(n)) for n in names]))
    severity = {r["severity"]: r for r in _rows(agg.severity_counts, ["findings", "patients"])}
    sev_rows = [dict(severity.get(s, {"findings": 0, "patients": 0}), severity=s) for s in SEVERITIES]
    changes = None
    if agg.changes_by_rule is not None:
        changes = _rows(agg.changes_by_rule, ["new_findings", "resolved_findings"])
    return {"rule_totals": totals, "site_summary": summary, "methods": methods, "severity_rows": sev_rows,
            "changes_by_rule": changes}


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


def _header(run_info: dict[str, Any], out_dir: Path) -> dict:
    profile = run_info.get("profile") or {}
    data_docs = run_info.get("data_docs")
    link = None
    if data_docs:
        if Path(data_docs).is_absolute():
            base = Path(run_info.get("final_out_dir") or out_dir).absolute()
            link = Path(os.path.relpath(Path(data_docs), base)).as_posix()
        else:  # already relative to the output folder
            link = Path(data_docs).as_posix()
    return {
        "registry_name": run_info.get("registry_name") or "MS registry",
        "as_of": fmt_date(run_info.get("as_of")),
        "profile": profile,
        "profile_name": profile.get("name", ""),
        "run_id": run_info.get("run_id", ""),
        "version": run_info.get("version", ""),
        "codelist_version": run_info.get("codelist_version", ""),
        "timings": run_info.get("timings") or {},
        "events_present": run_info.get("events_present"),
        "data_docs_link": link,
        "generated_at": run_info.get("generated_at") or dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "limitations": LIMITATIONS,
        "profile_parameters": sorted((profile.get("parameters") or {}).items()),
        "induction_windows": profile.get("induction_windows") or [],
        "maintenance_start_days": profile.get("maintenance_start_days"),
        "compliance_lookback_days": profile["parameters"]["compliance_lookback_days"],
        "compliance_months": profile["parameters"]["compliance_months"],
    }


def _base_context(agg: Aggregates, run_info, out_dir, shareable: bool) -> dict:
    """The one context builder of both reports: `agg` is the care team's aggregates, or their
    disclosure-controlled copy (`disclosure.apply`) for the shareable report."""
    profile_params = (run_info.get("profile") or {}).get("parameters") or {}
    params = disclosure.params_from_profile(run_info.get("profile"))
    prev = agg.previous_run
    ctx = {
        "shareable": shareable,
        "disclosure": params,
        "previous_run": {"run_id": prev["run_id"], "as_of": fmt_date(prev["as_of"])} if prev else None,
        **_header(run_info, out_dir),
        **_indicator_views(agg, profile_params),
        **_compliance_views(agg, profile_params["compliance_lookback_days"]),
        **_rates_by_month_views(agg),
        **_dq_views(agg, run_info),
        **_rules_views(agg, profile_params),
        "findings_total": agg.findings_total,
        "severities": SEVERITIES,
        "warnings": [{"code": w["code"], "message": w["shareable_message"] if shareable else w["message"]}
                     for w in run_info.get("warnings") or []],
    }
    return ctx


def care_team_context(agg: Aggregates, run_info, out_dir, worklist: list[dict], worklist_total: int,
                      changes: dict[str, list], examples: dict) -> dict:
    ctx = _base_context(agg, run_info, out_dir, shareable=False)
    for row in worklist:
        row["severity_rank"] = _plain(row.get("severity_rank"))
        row["days_overdue"] = _plain(row.get("days_overdue"))
    if ctx["expectations"]:
        for e in ctx["expectations"]:
            e["examples"] = examples.get((e["suite"], e["expectation"], e["column_name"]))
    ctx.update(
        worklist=worklist,
        worklist_total=worklist_total,
        worklist_sites=sorted({str(r["site_id"]) for r in worklist}),
        worklist_rules=sorted({str(r["rule_id"]) for r in worklist}),
        changes=changes,
    )
    return ctx


def shareable_context(shared: Aggregates, run_info, out_dir) -> dict:
    """The shareable report's context, from `shared = disclosure.apply(aggregates, params)` only."""
    return _base_context(shared, run_info, out_dir, shareable=True)
