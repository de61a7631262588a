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


def _column(page, index):
    return page.eval_on_selector_all(
        "#worklist-table tbody tr:not([hidden])", f"rows => rows.map(r => r.cells[{index}].textContent.trim())"
    )


def test_no_console_errors_and_no_network(page_on_report):
    page, messages, requests, paths = page_on_report
    assert [m for m in messages if m[0] in ("error", "pageerror", "warning")] == []
    assert all(url.startswith("file:") or url.startswith("data:") for url in requests), requests
    assert page.locator("#wl-count").inner_text() == "13 of 13 shown"


def test_click_header_sorts(page_on_report):
    page, *_ = page_on_report
    patient = page.locator("#worklist-table thead th", has_text="Patient")
    patient.click()
    ids = _column(page, 1)
    assert ids == sorted(ids)
    assert patient.get_attribute("aria-sort") == "ascending"
    patient.click()
    assert _column(page, 1) == sorted(ids, reverse=True)
    page.locator("#worklist-table thead th", has_text="Days overdue").click()
    days = [int(d.replace(",", "")) for d in _column(page, 6) if d]
    assert days == sorted(days) and len(days) == 5
    assert _column(page, 6)[-1] == ""  # empty cells last
    page.locator("#worklist-table thead th", has_text="Severity").click()
    assert _column(page, 0)[0].lower() == "critical"


def test_typing_in_the_filter_filters(page_on_report, tmp_path):
    page, *_ = page_on_report
    page.fill("#wl-text", "PAT-005")
    assert set(_column(page, 1)) == {"PAT-005"} and len(_column(page, 1)) == 2
    assert page.locator("#wl-count").inner_text() == "2 of 13 shown"
    page.fill("#wl-text", "")
    page.select_option("#wl-severity", "medium")
    assert set(_column(page, 0)) == {"medium"} or set(s.lower() for s in _column(page, 0)) == {"medium"}
    page.select_option("#wl-site", "S3")
    assert _column(page, 1) == ["PAT-026"]
    page.select_option("#wl-severity", "")
    page.select_option("#wl-site", "")
    page.select_option("#wl-rule", "TPMT_NOT_TESTED")
    assert len(_column(page, 1)) == 3
    page.select_option("#wl-rule", "")
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    keep = os.environ.get("AZA_AUDIT_SCREENSHOT")
    if keep:
        page.screenshot(path=keep, full_page=True)
