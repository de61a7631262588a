"""Charts for the report, drawn with matplotlib and returned as inline SVG text (no files, no network).

- Funnel plot: each site's rate against its denominator, with 95% and 99.8% control limits around the
  overall rate. The limits are binomial: the exact binomial quantiles of n trials at the overall rate, with
  Spiegelhalter's interpolation (Statistics in Medicine 2005) so that the funnel is smooth; when scipy is not
  importable, the normal approximation p +/- z sqrt(p (1 - p) / n).
- p-chart: a monthly proportion with its centre line (the pooled proportion over the months shown) and
  3-sigma limits p +/- 3 sqrt(p (1 - p) / n_month), which vary with each month's n; months beyond the limits
  are marked.
"""

from __future__ import annotations

import io
import math
import textwrap
import re
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402,F401
import numpy as np  # noqa: E402

try:  # scipy comes with great_expectations; the normal approximation is the fallback
    from scipy.stats import binom as _binom
except Exception:  # pragma: no cover
    _binom = None

INK = "#1f2933"
MUTED = "#7b8794"
GRID = "#e4e7eb"
ACCENT = "#1d4e89"
ALARM = "#c0392b"
LIMIT_95 = "#7a9cc6"
LIMIT_998 = "#1d4e89"
IMPROVEMENT = "#289de0"  # NHS "Making Data Count": special cause improvement (blue), concern (orange)
CONCERN = "#e8890c"
COMMON = "#7b8794"

plt.rcParams.update({
    "svg.fonttype": "none",  # text stays text: smaller, selectable, printable
    "text.parse_math": False,  # a site called "$x$" is drawn as written, never read as TeX
    "text.usetex": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 9,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "aza-audit",  # deterministic ids
})


def _svg(fig, label: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    # scale to the container, keep the aspect ratio, and say what it is for screen readers
    text = re.sub(r'<svg([^>]*?)\swidth="[^"]*"\sheight="[^"]*"', r'<svg\1', text, count=1)
    text = text.replace("<svg", f'<svg role="img" aria-label="{_attr(label)}" class="chart"', 1)
    return text


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;"))


def control_limits(p: float, n: np.ndarray, z_prob: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper limits of a proportion at overall rate ``p`` for denominators ``n`` (two-sided
    probability ``z_prob``, e.g. 0.95 or 0.998)."""
    n = np.asarray(n, dtype=float)
    tail = (1 - z_prob) / 2
    if p <= 0 or p >= 1:
        return np.full_like(n, p), np.full_like(n, p)
    if _binom is not None:
        def limit(q):
            r = _binom.ppf(q, n, p)
            cdf_r = _binom.cdf(r, n, p)
            cdf_below = _binom.cdf(r - 1, n, p)
            with np.errstate(divide="ignore", invalid="ignore"):
                adj = np.where(cdf_r > cdf_below, (cdf_r - q) / (cdf_r - cdf_below), 0.0)
            return np.clip((r - adj) / n, 0, 1)
        return limit(tail), limit(1 - tail)
    z = _normal_quantile(1 - tail)
    half = z * np.sqrt(p * (1 - p) / n)
    return np.clip(p - half, 0, 1), np.clip(p + half, 0, 1)


def beyond_limits(x: int, n: int, p: float, prob: float) -> bool:
    """True when ``x`` of ``n`` lies beyond the two-sided ``prob`` limits around ``p``: the exact binomial
    tail at or beyond ``x`` is smaller than (1 - prob) / 2 (the normal approximation without scipy). A site
    at 100% (or 0%) is flagged only when reaching it is itself improbable."""
    tail = (1 - prob) / 2
    if n <= 0 or p <= 0 or p >= 1:
        return False
    if _binom is not None:
        upper = float(_binom.sf(x - 1, n, p))  # P(X >= x)
        lower = float(_binom.cdf(x, n, p))  # P(X <= x)
        return (x / n > p and upper < tail) or (x / n < p and lower < tail)
    z = abs(x / n - p) / math.sqrt(p * (1 - p) / n)
    return z > _normal_quantile(1 - tail)


def _normal_quantile(q: float) -> float:
    # Acklam-free: invert the error function by bisection; only two values are ever asked for.
    lo, hi = -10.0, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def funnel_svg(
    points: Sequence[tuple[str, int, int]],
    overall_rate: float | None,
    title: str,
    higher_is_better: bool = True,
    flagged: dict | None = None,
) -> str | None:
    """A funnel plot of ``(site, numerator, denominator)`` points; None when there is nothing to draw.
    ``flagged``: {site: "better" | "worse"} for the outliers (computed from true counts), else those beyond the
    99.8% limits of these points. A better outlier is blue, a worse one orange (as the p-charts' improvement
    and concern). Labels of points close together are stacked, not overlaid."""
    points = [(s, num, den) for s, num, den in points if den and num is not None]
    if not points or overall_rate is None:
        return None
    fig, ax = plt.subplots(figsize=(5.2, 3.0))
    max_n = max(den for _, _, den in points)
    top = max(max_n * 1.15, 10)
    n = np.unique(np.concatenate([np.arange(1, min(top, 200) + 1), np.round(np.geomspace(1, top, 400))]))
    n = n[n >= 1].astype(int)
    lo95, hi95 = control_limits(overall_rate, n, 0.95)
    lo998, hi998 = control_limits(overall_rate, n, 0.998)
    ax.plot(n, hi998, color=LIMIT_998, lw=1, ls="--", label="99.8% limits")
    ax.plot(n, lo998, color=LIMIT_998, lw=1, ls="--")
    ax.plot(n, hi95, color=LIMIT_95, lw=1, ls=":", label="95% limits")
    ax.plot(n, lo95, color=LIMIT_95, lw=1, ls=":")
    ax.axhline(overall_rate, color=MUTED, lw=1, label=f"overall {overall_rate:.0%}")
    rates = []
    placed: list[tuple[float, float]] = []
    span_x = max_n * 1.15 + 1
    for site, num, den in sorted(points, key=lambda p: (p[2], p[1] / p[2])):
        r = num / den
        rates.append(r)
        if flagged is not None:
            status = flagged.get(site)
        else:
            status = None
            if beyond_limits(num, den, overall_rate, 0.998):
                status = "better" if (r > overall_rate) == higher_is_better else "worse"
        colour = {"better": IMPROVEMENT, "worse": CONCERN}.get(status, COMMON)
        ax.scatter([den], [r], s=36 if status else 24, zorder=3, color=colour, edgecolor="white", linewidth=0.6)
        # a label near an earlier one (within 10% of the x span and 3 points of rate) moves up a line
        lift = sum(1 for x0, r0 in placed if abs(x0 - den) < 0.10 * span_x and abs(r0 - r) < 0.03)
        placed.append((den, r))
        ax.annotate(str(site), (den, r), textcoords="offset points", xytext=(4, 3 + 8 * lift), fontsize=7,
                    color=INK)
    ax.set_xlim(0, max_n * 1.15 + 1)
    # zoom on the part of the plot that matters: near 0 for rare events, near 100% for common ones
    smallest = min(den for _, _, den in points)
    lo_s, hi_s = control_limits(overall_rate, np.array([smallest]), 0.998)
    if overall_rate < 0.5:
        ax.set_ylim(-0.01, min(1.02, max(max(rates), hi_s[0], overall_rate) * 1.15 + 0.03))
    else:
        ax.set_ylim(max(-0.02, min(min(rates), lo_s[0], overall_rate) * 0.9 - 0.03), 1.01)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("patients in the denominator")
    ax.set_ylabel("rate")
    ax.grid(True, color=GRID, lw=0.6)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.legend(fontsize=7, frameon=False, loc="lower right" if higher_is_better else "upper right")
    return _svg(fig, f"Funnel plot: {title}")


def _fit_y(ax, n, x) -> None:
    """A small multiple's own y range: the points and their limits, with a little room (a rate of a few per
    cent is not squashed at the bottom of a 0-100% axis)."""
    n = np.asarray(n, dtype=float)
    x = np.asarray(x, dtype=float)
    keep = n > 0
    if not keep.any():
        return
    p = x[keep] / n[keep]
    centre = x[keep].sum() / n[keep].sum()
    sigma = np.sqrt(centre * (1 - centre) / n[keep])
    low = max(0.0, min(p.min(), (centre - 3 * sigma).min()))
    high = min(1.0, max(p.max(), (centre + 3 * sigma).max()))
    pad = max((high - low) * 0.08, 0.01)
    ax.set_ylim(max(-0.005, low - pad), min(1.01, high + pad))


def pchart_floor(series) -> float:
    """A lower y limit that shows the variation: just under the lowest point or limit, never below 0."""
    lows = []
    for _months, n, x in series:
        n = np.asarray(n, dtype=float)
        x = np.asarray(x, dtype=float)
        keep = n > 0
        if keep.any():
            p = x[keep] / n[keep]
            centre = x[keep].sum() / n[keep].sum()
            lcl = centre - 3 * np.sqrt(centre * (1 - centre) / n[keep])
            lows.append(min(p.min(), lcl.min()))
    if not lows:
        return 0.0
    low = max(0.0, min(lows))
    return max(0.0, math.floor((low - 0.05) * 10) / 10) if low > 0.2 else 0.0


def spc_signals(p, centre: float, sigma, higher_is_better: bool | None = True) -> list[str | None]:
    """Special causes of a p-chart's points, in the NHS "Making Data Count" style: "improvement", "concern" or
    None (common cause) per point. The run rules: a point beyond the 3-sigma limits; a shift of 7 or more
    points in a row on one side of the centre line; a trend of 6 or more points in a row each higher (or each
    lower) than the one before; 2 of 3 points in a row beyond 2 sigma on the same side. A signal above the
    centre (or a rising trend) is an improvement when higher is better, a concern otherwise."""
    p = np.asarray(p, dtype=float)
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), p.shape)
    count = len(p)
    side = np.zeros(count, dtype=int)  # +1 high, -1 low
    up = 1 if higher_is_better else -1

    def mark(i: int, direction: int) -> None:
        if side[i] == 0:
            side[i] = direction

    for i in range(count):  # beyond the limits
        if p[i] > centre + 3 * sigma[i]:
            mark(i, 1)
        elif p[i] < centre - 3 * sigma[i]:
            mark(i, -1)
    above = np.sign(np.round(p - centre, 12))
    i = 0
    while i < count:  # shifts of 7: points on the centre line neither break nor extend a run
        if above[i] == 0:
            i += 1
            continue
        j, members = i, []
        while j < count and above[j] in (0, above[i]):
            if above[j] != 0:
                members.append(j)
            j += 1
        if len(members) >= 7:
            for k in members:
                mark(k, int(above[i]))
        i = j
    diffs = np.sign(np.diff(p))
    i = 0
    while i < len(diffs):  # trends of 6 points (5 steps the same way)
        if diffs[i] == 0:
            i += 1
            continue
        j = i
        while j < len(diffs) and diffs[j] == diffs[i]:
            j += 1
        if j - i + 1 >= 6:
            for k in range(i, j + 1):
                mark(k, int(diffs[i]))
        i = j
    for i in range(count - 2):  # 2 of 3 beyond 2 sigma, same side
        window = range(i, i + 3)
        for direction in (1, -1):
            near = [k for k in window if direction * (p[k] - centre) > 2 * sigma[k]]
            if len(near) >= 2:
                for k in near:
                    mark(k, direction)
    return [None if s == 0 else ("improvement" if s == up else "concern") for s in side]


def assurance(target: float | None, lcl: float, ucl: float, higher_is_better: bool = True) -> str | None:
    """Whether the process can be relied on to meet a target ("Making Data Count" assurance): the limits of
    the latest month both on the right side of the target, both on the wrong side, or either side."""
    if target is None:
        return None
    good_low, good_high = (lcl >= target, ucl >= target) if higher_is_better else (ucl <= target, lcl <= target)
    if good_low and good_high:
        return "consistently meets the target"
    if not good_low and not good_high:
        return "consistently fails the target"
    return "hit and miss against the target"


def true_signals(months, n, x, higher_is_better: bool = True) -> dict:
    """{month: "improvement" | "concern"} of a series' special causes, from its true counts: what a chart of
    the same series in rounded counts shows (rounding alone must not make or hide a signal)."""
    n_arr, x_arr = np.asarray(n, dtype=float), np.asarray(x, dtype=float)
    keep = n_arr > 0
    kept = [m for m, k in zip(months, keep) if k]
    n_arr, x_arr = n_arr[keep], x_arr[keep]
    if not len(n_arr):
        return {}
    centre = x_arr.sum() / n_arr.sum()
    sigma = np.sqrt(centre * (1 - centre) / n_arr)
    return {m: s for m, s in zip(kept, spc_signals(x_arr / n_arr, centre, sigma, higher_is_better)) if s}


def _pchart_axes(ax, months, n, x, title, small=False, floor=0.0, higher_is_better=True, target=None,
                 given_signals: dict | None = None):
    n = np.asarray(n, dtype=float)
    x = np.asarray(x, dtype=float)
    keep = n > 0
    months = [m for m, k in zip(months, keep) if k]
    n, x = n[keep], x[keep]
    if not len(n):
        ax.set_title(title, fontsize=8 if small else 9.5, loc="left")
        ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes, color=MUTED)
        return
    p = x / n
    centre = x.sum() / n.sum()
    sigma = np.sqrt(centre * (1 - centre) / n)
    ucl, lcl = np.clip(centre + 3 * sigma, 0, 1), np.clip(centre - 3 * sigma, 0, 1)
    idx = np.arange(len(n))
    ax.step(idx, ucl, where="mid", color=LIMIT_998, lw=0.9, ls="--", label="3-sigma limits")
    ax.step(idx, lcl, where="mid", color=LIMIT_998, lw=0.9, ls="--")
    ax.axhline(centre, color=MUTED, lw=1, label=f"centre {centre:.0%}")
    ax.plot(idx, p, color=COMMON, lw=1.1, marker="o", ms=2.5 if small else 3.5, zorder=3)
    signals = spc_signals(p, centre, sigma, higher_is_better) if given_signals is None else \
        [given_signals.get(m) for m in months]
    for kind, colour, label in (("improvement", IMPROVEMENT, "special cause: improvement"),
                                ("concern", CONCERN, "special cause: concern")):
        chosen = np.array([s == kind for s in signals])
        if chosen.any():
            ax.scatter(idx[chosen], p[chosen], s=16 if small else 28, color=colour, zorder=4, label=label)
    if target is not None:
        ax.axhline(target, color="#8e44ad", lw=1, ls="-.", label=f"target {target:.0%}")
    labels = [m.strftime("%b %y") for m in months]
    step = max(1, len(idx) // (4 if small else 8))
    ax.set_xticks(idx[::step])
    ax.set_xticklabels(labels[::step], fontsize=6.5 if small else 7.5)
    ax.set_ylim(floor - 0.01 if floor else -0.02, 1.01)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.grid(True, color=GRID, lw=0.6)
    ax.set_title(textwrap.fill(title, 34) if small else title, fontsize=8 if small else 9.5, loc="left", color=INK)
    if not small:
        ax.legend(fontsize=7, frameon=False, loc="lower left")


def pchart_svg(months, n, x, title: str, higher_is_better: bool = True, target: float | None = None,
               signals: dict | None = None) -> str | None:
    """A p-chart of ``x / n`` by month; None when there are no months."""
    if not len(months):
        return None
    fig, ax = plt.subplots(figsize=(8.6, 3.0))
    floor = pchart_floor([(months, n, x)])
    if target is not None:
        floor = min(floor, max(0.0, math.floor((target - 0.05) * 10) / 10))
    _pchart_axes(ax, list(months), n, x, title, floor=floor, higher_is_better=higher_is_better, target=target,
                 given_signals=signals)
    ax.set_ylabel("compliant")
    return _svg(fig, f"p-chart: {title}")


def pchart_grid_svg(series: dict[str, tuple[list, list, list]], title: str, higher_is_better: bool = True,
                    floor: float | None = None, sharey: bool = True, signals: dict | None = None) -> str | None:
    """Small multiples: one p-chart per site (or rule), ``{name: (months, n, x)}``. ``sharey`` False gives each
    panel the scale that shows its own data. ``signals``: ``{name: {month: signal}}`` from the true counts
    (``true_signals``), for a chart drawn from rounded counts."""
    if not series:
        return None
    cols = min(4, len(series))
    rows = math.ceil(len(series) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.4 * cols + 0.6, 1.9 * rows + 0.4), squeeze=False,
                             sharey=sharey)
    floor = pchart_floor(series.values()) if floor is None else floor
    for ax, (site, (months, n, x)) in zip(axes.flat, series.items()):
        _pchart_axes(ax, list(months), n, x, str(site), small=True, floor=floor, higher_is_better=higher_is_better,
                     given_signals=None if signals is None else signals.get(site, {}))
        if not sharey:
            _fit_y(ax, n, x)
    for ax in list(axes.flat)[len(series):]:
        ax.axis("off")
    fig.tight_layout()
    return _svg(fig, title)
