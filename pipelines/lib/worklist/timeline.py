"""The patient timeline of the worklist: a small inline SVG of the latest episode's regimens (mg/kg), the tests
of each monitored group (and when the next is due), TPMT, weights, events and the findings, so a clinician
sees why a patient is on the list without opening another system.

Every piece of text from the data is escaped (`markupsafe.escape`) before it enters the SVG; the SVG holds
no script and no link.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from markupsafe import Markup, escape

WIDTH = 760
LEFT = 112  # room for the lane labels
RIGHT = 12
LANE = 18
DOSE_HEIGHT = 46
MAX_YEARS = 3  # the timeline shows at most this many years before the as-of date

SEVERITY_COLOUR = {"critical": "#8b0000", "high": "#c0392b", "medium": "#d68910", "low": "#2874a6",
                   "info": "#7f8c8d"}
PHENOTYPE_COLOUR = {"normal": "#1e8449", "intermediate": "#d68910", "deficient": "#8b0000"}


def _f(x: float) -> str:
    return f"{x:.1f}"


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def span(row: dict[str, Any], as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The dates the timeline covers: from a month before the episode (at most MAX_YEARS back, at least a
    year) to a month after the as-of date (where the next due dates fall)."""
    start = _date(row.get("episode_start")) or as_of - dt.timedelta(days=365)
    earliest = as_of - dt.timedelta(days=365 * MAX_YEARS)
    begin = max(min(start - dt.timedelta(days=30), as_of - dt.timedelta(days=365)), earliest)
    return begin, as_of + dt.timedelta(days=45)


def svg(row: dict[str, Any], data: dict[str, list], monitored: list[dict[str, Any]], as_of: dt.date,
        max_mg_per_kg: float) -> Markup:
    """*Patient-level.* The timeline of one worklist row (`row`: worklist_patients; `data`: its timeline
    records by kind; `monitored`: the profile's monitored groups, in order)."""
    begin, end = span(row, as_of)
    days = max((end - begin).days, 1)
    plot = WIDTH - LEFT - RIGHT

    def x(d: dt.date) -> float:
        return LEFT + plot * min(max((d - begin).days, 0), days) / days

    def inside(d: dt.date | None) -> bool:
        return d is not None and begin <= d <= end

    lanes = ["dose", *[m["test"] for m in monitored], "TPMT", "weight", "events", "findings"]
    top = 18
    y: dict[str, float] = {}
    cursor = top
    for lane in lanes:
        y[lane] = cursor
        cursor += DOSE_HEIGHT if lane == "dose" else LANE
    height = cursor + 6
    parts: list[str] = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{_f(height)}" '
        f'viewBox="0 0 {WIDTH} {_f(height)}" role="img" aria-label="Treatment timeline">'
    ]
    # axis: a tick at each year start (or each quarter on a short span)
    tick = dt.date(begin.year, 1, 1)
    step_months = 12 if days > 900 else 3
    while tick <= end:
        if tick >= begin:
            parts.append(f'<line x1="{_f(x(tick))}" x2="{_f(x(tick))}" y1="{top - 4}" y2="{_f(height - 6)}" '
                         'class="grid"/>')
            label = str(tick.year) if tick.month == 1 else tick.strftime("%b")
            if x(tick) + 26 < WIDTH - RIGHT:  # no label cut by the right edge
                parts.append(f'<text x="{_f(x(tick) + 2)}" y="{top - 6}" class="axis">{label}</text>')
        month = tick.month - 1 + step_months
        tick = dt.date(tick.year + month // 12, month % 12 + 1, 1)
    labels = {"dose": "dose mg/kg", "TPMT": "TPMT", "weight": "weight", "events": "events", "findings": "findings"}
    labels.update({m["test"]: m["test"] for m in monitored})
    for lane in lanes:
        base = y[lane] + (DOSE_HEIGHT if lane == "dose" else LANE) / 2 + 4
        parts.append(f'<text x="4" y="{_f(base)}" class="lane">{escape(labels[lane])}</text>')

    # dose: steps of mg/kg from each regimen start to the next (or the episode end / as-of)
    regimens = data.get("regimens", [])
    values = [r["mg_per_kg"] for r in regimens if r.get("mg_per_kg") is not None]
    scale = max([max_mg_per_kg * 1.2, *values]) if values else max_mg_per_kg * 1.2
    dose_bottom = y["dose"] + DOSE_HEIGHT - 4

    def dose_y(v: float) -> float:
        return dose_bottom - (DOSE_HEIGHT - 8) * min(v / scale, 1.0)

    limit_y = dose_y(max_mg_per_kg)
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_f(limit_y)}" y2="{_f(limit_y)}" class="limit">'
                 f'<title>maximum {escape(f"{max_mg_per_kg:g}")} mg/kg/day</title></line>')
    stop = min(_date(row.get("episode_end")) or as_of, as_of)
    for i, r in enumerate(regimens):
        start = _date(r["regimen_start"])
        finish = _date(regimens[i + 1]["regimen_start"]) if i + 1 < len(regimens) else stop
        if finish is None or finish < begin or start > end:
            continue
        dose = r.get("daily_dose_mg")
        mgkg = r.get("mg_per_kg")
        tip = (f"{start.isoformat()}: {'unknown dose' if dose is None else f'{dose:g} mg/day'}"
               + ("" if mgkg is None else f", {mgkg:.2f} mg/kg/day")
               + ("" if r.get("weight_kg") is None else f" at {r['weight_kg']:.1f} kg"))
        x0, x1 = x(max(start, begin)), max(x(min(finish, end)), x(max(start, begin)) + 1.5)
        if mgkg is None:
            parts.append(f'<rect x="{_f(x0)}" y="{_f(dose_bottom - 3)}" width="{_f(x1 - x0)}" height="3" '
                         f'class="dose-unknown"><title>{escape(tip)}</title></rect>')
        else:
            top_y = dose_y(mgkg)
            over = " over" if mgkg > max_mg_per_kg else ""
            parts.append(f'<rect x="{_f(x0)}" y="{_f(top_y)}" width="{_f(x1 - x0)}" '
                         f'height="{_f(dose_bottom - top_y)}" class="dose{over}"><title>{escape(tip)}</title></rect>')

    # tests per monitored group, and the next due date
    tests: dict[str, list[dict[str, Any]]] = {}  # a patient's tests by group, in their order
    for t in data.get("tests", []):
        tests.setdefault(t["test"], []).append(t)
    due = {t["test"]: t for t in row.get("tests", [])}
    for m in monitored:
        lane_mid = y[m["test"]] + LANE / 2
        y1, y2, name = _f(lane_mid - 6), _f(lane_mid + 6), escape(m["test"])
        for t in tests.get(m["test"], ()):
            d = _date(t["test_date"])
            if inside(d):
                at = _f(x(d))
                parts.append(f'<line x1="{at}" x2="{at}" y1="{y1}" y2="{y2}" class="test"><title>{name} '
                             f'{d.isoformat()}</title></line>')
        next_due = _date((due.get(m["test"]) or {}).get("next_due"))
        if inside(next_due):
            late = " late" if next_due < as_of else ""
            cx = x(next_due)
            parts.append(f'<path d="M{_f(cx - 5)},{_f(lane_mid - 6)} L{_f(cx + 5)},{_f(lane_mid - 6)} '
                         f'L{_f(cx)},{_f(lane_mid + 4)} Z" class="due{late}"><title>{escape(m["test"])} next due '
                         f'{next_due.isoformat()}</title></path>')

    for t in data.get("tpmt", []):  # a result before the timeline is drawn at its left edge: it still counts
        d = _date(t["collected_date"])
        if d is not None and d <= end:
            mid = y["TPMT"] + LANE / 2
            colour = PHENOTYPE_COLOUR.get(str(t["phenotype"]), "#7f8c8d")
            cx = x(max(d, begin))
            earlier = " (before the timeline)" if d < begin else ""
            parts.append(f'<path d="M{_f(cx)},{_f(mid - 6)} L{_f(cx + 6)},{_f(mid)} L{_f(cx)},{_f(mid + 6)} '
                         f'L{_f(cx - 6)},{_f(mid)} Z" fill="{colour}"><title>TPMT {d.isoformat()}{earlier}: '
                         f'{escape(t["phenotype"])}</title></path>'
                         f'<text x="{_f(cx + 8)}" y="{_f(mid + 4)}" class="axis">{escape(t["phenotype"])}</text>')
    for w in data.get("weights", []):
        d = _date(w["collected_date"])
        if inside(d) and w.get("weight_kg") is not None:
            parts.append(f'<circle cx="{_f(x(d))}" cy="{_f(y["weight"] + LANE / 2)}" r="3" class="weight">'
                         f'<title>{d.isoformat()}: {w["weight_kg"]:.1f} kg</title></circle>')
    for e in data.get("events", []):
        d = _date(e["event_date"])
        if inside(d):
            parts.append(f'<rect x="{_f(x(d) - 3)}" y="{_f(y["events"] + LANE / 2 - 3)}" width="6" height="6" '
                         f'class="event"><title>{d.isoformat()}: {escape(e["event_type"])}</title></rect>')
    for f in data.get("findings", []):
        d = _date(f["key_date"])
        if d is None:
            continue
        mid = y["findings"] + LANE / 2
        cx = x(max(d, begin))
        colour = SEVERITY_COLOUR.get(str(f["severity"]), "#7f8c8d")
        hollow = "" if f.get("on_worklist") else ' fill-opacity="0.25"'
        earlier = " (before the timeline)" if d < begin else ""
        parts.append(f'<circle cx="{_f(cx)}" cy="{_f(mid)}" r="5" fill="{colour}"{hollow}><title>'
                     f'{d.isoformat()}{earlier}: {escape(f["title"])}{escape(" (" + f["test"] + ")") if f.get("test") else ""}'
                     f'{"" if f.get("on_worklist") else " (not on the worklist)"}</title></circle>')
    ax = x(as_of)
    parts.append(f'<line x1="{_f(ax)}" x2="{_f(ax)}" y1="{top - 4}" y2="{_f(height - 6)}" class="asof">'
                 f'<title>as of {as_of.isoformat()}</title></line>')
    parts.append("</svg>")
    return Markup("".join(parts))
