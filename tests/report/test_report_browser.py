"""report.html in headless Chromium (Debian's /usr/bin/chromium, through Playwright's Python package).

Never downloads Playwright's own browser. Skips only when /usr/bin/chromium is absent
(CI: `apt-get install -y chromium` and `pip install playwright`, see the report brief).
"""

import os
from pathlib import Path

import duckdb
import pytest

from report_fixture import build_registry, run_info

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install -y chromium)"),
]


@pytest.fixture(scope="module")
def page_on_report(tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from pipelines.lib.report import write_outputs

    con = duckdb.connect()
    build_registry(con, night=1)
    out = tmp_path_factory.mktemp("browser") / "out"
    paths = write_outputs(con, run_info(), out)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        messages, requests = [], []
        page.on("console", lambda m: messages.append((m.type, m.text)))
        page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(paths["report.html"].as_uri())
        page.wait_for_load_state("load")
        yield page, messages, requests, paths
        browser.close()


def test_no_console_errors_and_no_network(page_on_report):
    page, messages, requests, paths = page_on_report
    assert [m for m in messages if m[0] in ("error", "pageerror", "warning")] == []
    assert all(url.startswith("file:") or url.startswith("data:") for url in requests), requests
    # the patient list is the worklist's: the report points to it (filters are tested in test_worklist_browser)
    assert page.locator("#worklist-pointer a", has_text="worklist.html").count() == 1


def test_folded_detail_opens_on_click(page_on_report, tmp_path):
    page, *_ = page_on_report
    retrospective = page.locator("details#retrospective")
    assert retrospective.get_attribute("open") is None
    retrospective.locator("> summary").click()
    assert retrospective.get_attribute("open") is not None
    rule = retrospective.locator("details.rule-findings").first
    rule.locator("> summary").click()
    assert rule.locator("tbody tr").count() >= 1
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    keep = os.environ.get("AZA_AUDIT_SCREENSHOT")
    if keep:
        page.screenshot(path=keep, full_page=True)
