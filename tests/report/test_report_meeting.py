"""report.html as the QI meeting reads it, on the 2,000-patient demo registry: the summary before the methods
prints in at most four A4 pages and the whole report in at most twelve (headless Chromium counts the pages);
plain English; targets and direction; both reports flag the same outlier sites; the bugs of the meeting
report issue."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from pipelines.cli import run_audit
from pipelines.lib.synthetic import generate

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
AS_OF = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("meeting")
    generate(root / "extracts", patients=2000, seed=20261126, as_of=AS_OF)
    out = root / "out"
    assert run_audit(root / "extracts", out=out, as_of=AS_OF, db=root / "a.duckdb", quiet=True,
                     reviews=root / "reviews", registry_name="Synthetic MS registry (demo)") == 0
    return out


@pytest.fixture(scope="module")
def second_night(demo):
    """The same registry a week later, on the same database: the report a meeting usually reads, with the
    changes since the previous run filled in."""
    root = demo.parent
    out = root / "out-night2"
    assert run_audit(root / "extracts", out=out, as_of=AS_OF + dt.timedelta(days=7), db=root / "a.duckdb",
                     quiet=True, reviews=root / "reviews", registry_name="Synthetic MS registry (demo)") == 0
    return out


def _summary_pages(path: Path) -> tuple[int, int]:
    """(pages before Methods, pages of the whole report) printed on A4 landscape by headless Chromium."""
    sync_api = pytest.importorskip("playwright.sync_api")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.goto(path.as_uri())
        whole = _pages(page.pdf(format="A4", landscape=True))
        page.evaluate("() => { let n = document.getElementById('methods'); "
                      "while (n) { const next = n.nextElementSibling; n.remove(); n = next; } }")
        summary = _pages(page.pdf(format="A4", landscape=True))
        browser.close()
    return summary, whole


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install -y chromium)")
@pytest.mark.parametrize("name", ["report.html", "report_shareable.html"])
def test_a_later_night_with_changes_still_prints_its_summary_in_four_pages(second_night, name):
    html = (second_night / name).read_text(encoding="utf-8")
    assert 'id="changes-by-site"' in html  # the changes since the previous run are there
    summary, whole = _summary_pages(second_night / name)
    assert 1 <= summary <= 4, summary
    assert summary < whole <= 12, whole


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install -y chromium)")
@pytest.mark.parametrize("name", ["report.html", "report_shareable.html"])
def test_the_summary_prints_in_four_pages_and_the_report_in_twelve(demo, name, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.goto((demo / name).as_uri())
        whole = _pages(page.pdf(format="A4", landscape=True))
        page.evaluate("() => { let n = document.getElementById('methods'); "
                      "while (n) { const next = n.nextElementSibling; n.remove(); n = next; } }")
        summary = _pages(page.pdf(format="A4", landscape=True))
        keep = os.environ.get("AZA_AUDIT_SCREENSHOT_DIR")
        if keep:
            page.set_viewport_size({"width": 1400, "height": 1000})
            page.screenshot(path=str(Path(keep) / f"{name}.png"), full_page=True)
        browser.close()
    assert 1 <= summary <= 4, summary
    assert summary < whole <= 12, whole


def test_plain_english_and_the_formal_text_only_in_methods(demo):
    html = (demo / "report.html").read_text(encoding="utf-8")
    rules = html[html.index('id="rules-table"'):html.index('id="sites"')]
    assert "Fires when" not in rules and "key_date" not in rules and "exact()" not in rules
    assert "No TPMT test on record" in rules and "the BNF and SmPC ask for TPMT" in rules
    methods = html[html.index('id="methods"'):]
    assert "Fires when" in methods
    assert "600000 in g" not in html and "the limit in g (600000 mg / 1000)" in methods
    # a sentence made from a TPMT text keeps its capitals ("Patients with a TPMT result", not "a tpmt result")
    assert "with a tpmt result" not in html and "Patients with a TPMT result" in html


def test_targets_and_direction_are_on_the_cards(demo):
    html = (demo / "report.html").read_text(encoding="utf-8")
    card = html[html.index('data-indicator="tpmt_before_initiation"'):]
    card = card[:card.index('<div class="chg')]
    assert 'data-target="0.95"' in card and "target ≥ 95.0%" in card and "higher is better" in card
    over = html[html.index('data-indicator="over_600g"'):]
    assert "lower is better" in over[:over.index('<div class="chg')]


def test_both_reports_flag_the_same_outlier_sites_where_both_show_them(demo):
    def flagged(path):
        html = path.read_text(encoding="utf-8")
        return set(re.findall(r'<span class="outlier (better|worse)" data-site="([^"]+)" data-indicator="([^"]+)"',
                              html))

    care, shared = flagged(demo / "report.html"), flagged(demo / "report_shareable.html")
    assert care, "the demo registry has outlier sites"
    shared_html = (demo / "report_shareable.html").read_text(encoding="utf-8")
    def block(ind):
        start = shared_html.index(f'id="site-{ind}"')
        end = shared_html.find('class="site-block"', start)
        return shared_html[start:end if end > 0 else None]

    shown = {(site, ind) for _, site, ind in care
             if re.search(rf'data-site="{site}" data-numerator="\d+" data-denominator="\d+"', block(ind))}
    assert {(s, i) for _, s, i in shared} == shown
    assert {f for f in care if (f[1], f[2]) in shown} == shared


def test_changes_and_data_quality_in_brief(demo):
    html = (demo / "report.html").read_text(encoding="utf-8")
    reasons = html[html.index('id="reasons-table"'):]
    reasons = reasons[:reasons.index("</table>")]
    assert "first on line" not in reasons  # duplicates are one row per file, not one per first line
    assert reasons.count("<tr>") <= 9
    assert 'id="expectations-summary"' in html and "passed within their tolerance" in html
    assert "-0.0 pts" not in html
