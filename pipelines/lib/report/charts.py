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
) -> str | None:
    """A funnel plot of ``(site, numerator, denominator)`` points; None when there is nothing to draw."""
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
    for site, num, den in points:
        r = num / den
        rates.append(r)
        outside = beyond_limits(num, den, overall_rate, 0.998)
        ax.scatter([den], [r], s=28, zorder=3, color=ALARM if outside else ACCENT,
                   edgecolor="white", linewidth=0.6)
        ax.annotate(str(site), (den, r), textcoords="offset points", xytext=(4, 3), fontsize=7, color=INK)
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


def _pchart_axes(ax, months, n, x, title, small=False, floor=0.0):
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
    ax.plot(idx, p, color=ACCENT, lw=1.2, marker="o", ms=2.5 if small else 3.5)
    out = (p > ucl) | (p < lcl)
    if out.any():
        ax.scatter(idx[out], p[out], s=30 if small else 45, facecolor="none", edgecolor=ALARM, lw=1.4,
                   zorder=4, label="beyond limits")
    labels = [m.strftime("%b %y") for m in months]
    step = max(1, len(idx) // (4 if small else 8))
    ax.set_xticks(idx[::step])
    ax.set_xticklabels(labels[::step], fontsize=6.5 if small else 7.5)
    ax.set_ylim(floor - 0.01 if floor else -0.02, 1.01)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.grid(True, color=GRID, lw=0.6)
    ax.set_title(title, fontsize=8 if small else 9.5, loc="left", color=INK)
    if not small:
        ax.legend(fontsize=7, frameon=False, loc="lower left")


def pchart_svg(months, n, x, title: str) -> str | None:
    """A p-chart of ``x / n`` by month; None when there are no months."""
    if not len(months):
        return None
    fig, ax = plt.subplots(figsize=(8.6, 3.0))
    _pchart_axes(ax, list(months), n, x, title, floor=pchart_floor([(months, n, x)]))
    ax.set_ylabel("compliant")
    return _svg(fig, f"p-chart: {title}")


def pchart_grid_svg(series: dict[str, tuple[list, list, list]], title: str) -> str | None:
    """Small multiples: one p-chart per site, ``{site: (months, n, x)}``."""
    if not series:
        return None
    cols = min(4, len(series))
    rows = math.ceil(len(series) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.4 * cols + 0.6, 1.9 * rows + 0.4), squeeze=False,
                             sharey=True)
    floor = pchart_floor(series.values())
    for ax, (site, (months, n, x)) in zip(axes.flat, series.items()):
        _pchart_axes(ax, list(months), n, x, str(site), small=True, floor=floor)
    for ax in list(axes.flat)[len(series):]:
        ax.axis("off")
    fig.tight_layout()
    return _svg(fig, title)
