"""worklist.html in headless Chromium (Debian's /usr/bin/chromium through Playwright's Python package): the
filters and the live count, a patient's timeline, no console error and no request beyond the file."""

import datetime as dt
import os
from pathlib import Path

import pytest

from pipelines.cli import run_audit
from pipelines.lib.synthetic import generate

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
AS_OF = dt.date(2026, 11, 26)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install -y chromium)"),
]


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    root = tmp_path_factory.mktemp("worklist-browser")
    generate(root / "extracts", patients=200, seed=3, as_of=AS_OF)
    out = root / "out"
    assert run_audit(root / "extracts", out=out, as_of=AS_OF, db=root / "a.duckdb", quiet=True,
                     reviews=root / "reviews") == 0
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        messages, requests = [], []
        page.on("console", lambda m: messages.append((m.type, m.text)))
        page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
        page.on("request", lambda r: requests.append(r.url))
        page.goto((out / "worklist.html").as_uri())
        page.wait_for_load_state("load")
        yield page, messages, requests, out
        browser.close()


def _visible(page) -> int:
    return page.eval_on_selector_all("tbody.patient", "bs => bs.filter(b => !b.hidden).length")


def _count(page) -> str:
    return page.locator("#count").inner_text()


def test_filters_update_the_rows_and_the_live_count(page):
    page, messages, requests, out = page
    total = page.locator("tbody.patient").count()
    assert total > 10
    assert _count(page) == f"{total:,} of {total:,} patients"
    site = page.eval_on_selector("#f-site", "s => s.options[1].value")
    page.select_option("#f-site", site)
    shown = _visible(page)
    expected = page.eval_on_selector_all(f'tbody.patient[data-site="{site}"]', "bs => bs.length")
    assert 0 < shown == expected < total
    assert _count(page) == f"{shown:,} of {total:,} patients"
    page.select_option("#f-severity", "high")
    both = _visible(page)
    assert both <= shown
    assert all("high" in s.split() for s in page.eval_on_selector_all(
        "tbody.patient:not([hidden])", "bs => bs.map(b => b.dataset.severities)"))
    page.select_option("#f-site", "")
    page.select_option("#f-severity", "")
    page.check("#f-unreviewed")
    assert _visible(page) == total  # first night: nothing is reviewed yet
    page.uncheck("#f-unreviewed")
    page.fill("#f-text", "no such patient")
    assert _visible(page) == 0 and _count(page) == f"0 of {total:,} patients"
    page.fill("#f-text", "")
    assert _visible(page) == total


def test_a_row_opens_the_patients_timeline(page):
    page, messages, requests, out = page
    first = page.locator("tbody.patient").first
    timeline = first.locator("tr.timeline-row")
    assert not timeline.is_visible()
    first.locator("tr.row").click()
    assert timeline.is_visible()
    svg = timeline.locator("svg.timeline")
    assert svg.count() == 1 and svg.bounding_box()["width"] > 300
    assert timeline.locator("svg.timeline title").count() > 3  # hover text for the marks
    assert first.locator("tr.row").get_attribute("aria-expanded") == "true"
    first.locator("tr.row").press("Enter")
    assert not timeline.is_visible()


def test_no_console_error_and_no_request_beyond_the_file(page):
    page, messages, requests, out = page
    assert not [m for m in messages if m[0] in ("error", "pageerror")], messages
    assert all(url.startswith("file://") for url in requests), requests
