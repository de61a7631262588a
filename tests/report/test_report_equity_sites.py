"""The meeting report's equity table (indicators by age band and sex), changes by site, sites by name from the
optional sites file, and the shareable compliance charts by quarter when months are too small to show."""

import datetime as dt
import re

import pandas as pd
import pytest

from pipelines.cli import run_audit
from pipelines.lib import disclosure
from pipelines.lib.disclosure import SUPPRESSED
from pipelines.lib.report import charts
from pipelines.lib.synthetic import generate

AS_OF = dt.date(2026, 12, 1)
PARAMS = {"threshold": 7, "base": 5}


def _cells(html: str, table_id: str) -> list[dict]:
    table = html[html.index(f'id="{table_id}"'):]
    table = table[:table.index("</table>")]
    return [dict(re.findall(r'data-([a-z-]+)="([^"]*)"', row)) for row in re.findall(r"<t[dr][^>]*data-[^>]*>", table)]


@pytest.fixture(scope="module")
def two_nights(tmp_path_factory):
    root = tmp_path_factory.mktemp("equity")
    extracts = root / "extracts"
    generate(extracts, patients=600, seed=7, as_of=AS_OF)
    (extracts / "sites.csv").write_text(
        "site_id,site_name\nS01,Royal <b>Hallamshire</b>\nS02,\"Leeds General, Neurology\"\nS02,Leeds again\n"
        "S03,\n", encoding="utf-8")
    for night, as_of in ((1, AS_OF), (2, AS_OF + dt.timedelta(days=7))):
        assert run_audit(extracts, out=root / f"night{night}", as_of=as_of, db=root / "a.duckdb", quiet=True,
                         reviews=root / "reviews") == 0
    return root


def test_the_sites_file_names_the_sites_and_its_bad_rows_are_quarantined(two_nights):
    quarantine = pd.read_csv(two_nights / "night1" / "quarantine.csv")
    sites = quarantine[quarantine["file"] == "sites.csv"].sort_values("line")
    assert list(sites["line"]) == [4, 5]
    assert sites["reasons"].tolist() == ["duplicate site_id (first on line 3)", "site_name is missing"]
    assert sites["raw"].tolist() == ["S02,Leeds again", "S03,"]
    html = (two_nights / "night1" / "report.html").read_text(encoding="utf-8")
    assert "Royal &lt;b&gt;Hallamshire&lt;/b&gt;" in html and "<b>Hallamshire" not in html
    assert "Leeds General, Neurology" in html
    worklist = (two_nights / "night1" / "worklist.html").read_text(encoding="utf-8")
    assert "Royal &lt;b&gt;Hallamshire&lt;/b&gt;" in worklist and "<b>Hallamshire" not in worklist
    import json
    inputs = json.loads((two_nights / "night1" / "run.json").read_text())["inputs"]["sites"]
    assert inputs["rows_read"] == inputs["rows_accepted"] + inputs["rows_quarantined"] == 4


def test_equity_groups_add_up_to_the_headline_and_the_shareable_copy_hides_small_groups(two_nights):
    html = (two_nights / "night2" / "report.html").read_text(encoding="utf-8")
    shared = (two_nights / "night2" / "report_shareable.html").read_text(encoding="utf-8")
    cards = {c["indicator"]: c for c in (dict(re.findall(r'data-([a-z-]+)="([^"]*)"', div))
                                         for div in re.findall(r'<div class="card"[^>]*>', html))}
    rows = [c for c in _cells(html, "equity-table") if "indicator" in c]
    assert rows
    for dimension in ("age", "sex"):
        part = html[html.index(f'id="equity-{dimension}"'):]
        part = part[:part.index("</tbody>")]
        cells = [dict(re.findall(r'data-([a-z-]+)="([^"]*)"', td)) for td in re.findall(r"<td[^>]*data-indicator[^>]*>", part)]
        for key in {c["indicator"] for c in cells}:
            mine = [c for c in cells if c["indicator"] == key]
            assert sum(int(c["denominator"]) for c in mine) == int(cards[key]["denominator"]), (dimension, key)
            assert sum(int(c["numerator"]) for c in mine) == int(cards[key]["numerator"]), (dimension, key)
    shown = [c for c in _cells(shared, "equity-table") if "indicator" in c]
    assert shown
    for c in shown:
        for value in (c["numerator"], c["denominator"]):
            assert value == "suppressed" or (int(value) > 7 and int(value) % 5 == 0)
    assert "Widest gap by age" in html


def test_equity_disclosure_never_leaves_one_hidden_group():
    df = pd.DataFrame([
        {"indicator": "tpmt_before_initiation", "dimension": "age", "group": g, "position": i,
         "numerator": n, "denominator": d}
        for i, (g, n, d) in enumerate([("under 30", 3, 5), ("30-39", 40, 52), ("40-49", 55, 61), ("ALL", 98, 118)])])
    out = disclosure.share_frame(df, disclosure.TABLES["equity"], PARAMS)
    hidden = [g for g, d in zip(out["group"], out["denominator"]) if d is SUPPRESSED]
    assert "under 30" in hidden and len([g for g in hidden if g != "ALL"]) >= 2


def test_changes_by_site_add_up_to_all_sites_and_to_the_changes_by_rule(two_nights):
    html = (two_nights / "night2" / "report.html").read_text(encoding="utf-8")
    sites = _cells(html, "changes-by-site")
    rules = _cells(html, "changes-by-rule")
    total = next(c for c in sites if c["site"] == "ALL")
    for kind in ("new", "escalated", "resolved"):
        assert sum(int(c[kind]) for c in sites if c["site"] != "ALL") == int(total[kind])
        assert sum(int(c[kind]) for c in rules) == int(total[kind])
    assert int(total["new"]) > 0


def _compliance(site_small: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    months = pd.date_range("2026-01-31", periods=6, freq="ME")
    rows = []
    for m in months:
        for site, active, compliant in (("S01", 80, 70), ("S02", 60, 50), ("S03", site_small, site_small - 1)):
            rows.append({"month_end": m, "site_id": site, "patients_active": active, "patients_compliant": compliant})
    monthly = pd.DataFrame(rows)
    total = monthly.groupby("month_end", as_index=False)[["patients_active", "patients_compliant"]].sum()
    monthly = pd.concat([monthly, total.assign(site_id="ALL")], ignore_index=True)
    monthly["quarter"] = monthly["month_end"].dt.to_period("Q")
    quarterly = monthly.groupby(["quarter", "site_id"], as_index=False).agg(
        quarter_end=("month_end", "max"), patients_active=("patients_active", "sum"),
        patients_compliant=("patients_compliant", "sum")).drop(columns="quarter")
    return monthly.drop(columns="quarter"), quarterly


def test_small_site_months_are_shared_by_quarter_and_never_both_ways():
    monthly, quarterly = _compliance(site_small=5)
    shared_monthly, shared_quarterly = disclosure._share_compliance(monthly, quarterly, PARAMS)
    assert set(shared_monthly["site_id"]) == {"ALL"}  # no site is shown by month when one is shown by quarter
    assert shared_quarterly is not None
    s03 = shared_quarterly[shared_quarterly["site_id"] == "S03"]
    assert all(isinstance(v, int) and v % 5 == 0 for v in s03["patients_active"])  # 15 patient-months a quarter
    monthly, quarterly = _compliance(site_small=20)
    shared_monthly, shared_quarterly = disclosure._share_compliance(monthly, quarterly, PARAMS)
    assert shared_quarterly is None and set(shared_monthly["site_id"]) == {"ALL", "S01", "S02", "S03"}


def test_a_chart_of_rounded_counts_marks_the_special_causes_of_the_true_counts():
    months = list(pd.date_range("2025-01-31", periods=12, freq="ME").date)
    n = [40] * 12
    x = [30] * 11 + [12]  # the last month far below the rest: a special cause of concern
    marks = charts.true_signals(months, n, x, higher_is_better=True)
    assert marks[months[-1]] == "concern"  # beyond the limits; the 11 before it are a run above the centre
    assert set(marks.values()) == {"concern", "improvement"}
    rounded = [disclosure.suppress_count(v) for v in x]
    svg = charts.pchart_svg(months, n, rounded, "test", signals={months[-1]: "concern"})
    assert "special cause: concern" in svg and "special cause: improvement" not in svg  # the marks given, only


def test_a_rule_with_small_months_is_shared_by_quarter_and_the_others_by_month():
    months = pd.date_range("2026-01-31", periods=6, freq="ME")
    monthly = pd.DataFrame(
        [{"rule_id": "A", "site_id": "ALL", "month": m, "patients_evaluated": 40, "patients_flagged": 20} for m in months]
        + [{"rule_id": "B", "site_id": "ALL", "month": m, "patients_evaluated": 40, "patients_flagged": 3} for m in months])
    monthly["quarter"] = monthly["month"].dt.to_period("Q")
    quarterly = monthly.groupby(["rule_id", "site_id", "quarter"], as_index=False).agg(
        month=("month", "max"), patients_evaluated=("patients_evaluated", "sum"),
        patients_flagged=("patients_flagged", "sum")).drop(columns="quarter")
    shared_monthly, shared_quarterly = disclosure._share_rates(monthly.drop(columns="quarter"), quarterly, PARAMS)
    assert set(shared_monthly["rule_id"]) == {"A"}  # B's months (3 flagged) cannot be shown
    assert set(shared_quarterly["rule_id"]) == {"B"}  # a rule is shared one way only
    assert list(shared_quarterly["patients_flagged"]) == [10, 10]  # 9 a quarter, rounded to 5
