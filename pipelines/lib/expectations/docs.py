"""Great Expectations Data Docs: GX's own static site, built from the stored outcomes, with nothing loaded
from the network."""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import great_expectations as gx
from great_expectations.core import ExpectationSuite

from . import validate
from .storage import stored_results
from .suites import SCHEMA_ONLY, column_label, load_suite


def _suite_validation_result(suite: ExpectationSuite, suite_name: str, rows: list[tuple], run_time: datetime):
    """Rebuild a GX ExpectationSuiteValidationResult from the merged counts in expectation_results.

    Each stored row is matched to the suite's expectation with the same type and column, in order.
    The result dicts carry what GX's own SUMMARY format has for the renderers: element and unexpected
    counts and percentages, and the stored examples as the partial unexpected list.
    """
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )

    unused = list(rows)
    results = []
    for exp in suite.expectations:
        key = (exp.expectation_type, column_label(exp))
        match = next((r for r in unused if (r[1], r[2]) == key), None)
        if match is None:
            continue  # the suite gained an expectation since the last validation
        unused.remove(match)
        _, _, _, success, element_count, unexpected_count, examples = match
        # GX's renderer puts values into the page as HTML: escaped here, so a value is shown, never run
        examples = [html.escape(str(e)) for e in (examples or [])]
        element_count = int(element_count or 0)
        unexpected_count = int(unexpected_count or 0)
        if exp.expectation_type in SCHEMA_ONLY:
            result: dict[str, Any] = {"observed_value": "missing: " + ", ".join(examples) if examples else "as expected"}
        else:
            pct = unexpected_count / element_count * 100 if element_count else 0.0
            result = {
                "element_count": element_count,
                "unexpected_count": unexpected_count,
                "unexpected_percent": pct,
                "unexpected_percent_total": pct,
                "partial_unexpected_list": list(examples or []),
            }
        results.append(
            ExpectationValidationResult(
                success=bool(success),
                expectation_config=exp.configuration,
                result=result,
                exception_info={"raised_exception": False, "exception_message": None, "exception_traceback": None},
            )
        )
    evaluated = len(results)
    successful = sum(1 for r in results if r.success)
    return ExpectationSuiteValidationResult(
        success=successful == evaluated,
        results=results,
        suite_name=suite.name,
        statistics={
            "evaluated_expectations": evaluated,
            "successful_expectations": successful,
            "unsuccessful_expectations": evaluated - successful,
            "success_percent": successful / evaluated * 100 if evaluated else None,
        },
        meta={
            "great_expectations_version": gx.__version__,
            "expectation_suite_name": suite.name,
            "run_id": {"run_name": "aza-audit", "run_time": run_time.isoformat()},
            "validation_time": run_time.isoformat(),
            "active_batch_definition": {
                "datasource_name": "aza_audit_duckdb",
                "data_connector_name": "sql",
                "data_asset_name": f"stg_{suite_name}",
                "batch_identifiers": {},
            },
            "batch_markers": {},
            "batch_spec": {
                "data_asset_name": f"stg_{suite_name}",
                "table": f"stg_{suite_name}",
                "validated_as": "SQL in the run's DuckDB database (Great Expectations' SQL execution engine)",
            },
        },
    )


_REMOTE_LOGO = re.compile(r"https://great-expectations-web-assets\.s3\.[^\"'\s]*?\.png[^\"'\s]*")


_REMOTE_TAG = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.IGNORECASE)
_OFFLINE_NOTE = ('<meta http-equiv="Content-Security-Policy" content="default-src \'self\' \'unsafe-inline\' data:; '
                 'connect-src \'none\'">')


def _localise(site: Path) -> None:
    """Data Docs that load nothing from the network: GX's navbar logo (fetched from S3 with the data
    context id in the query string) points at the copy shipped inside the site, and every script and
    stylesheet from a public CDN (Bootstrap, jQuery, fonts, without integrity checks) is removed; a
    Content-Security-Policy forbids any other remote load. The pages are plainer, and private."""
    logo = site / "static" / "images" / "logo-long.png"
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        rel = Path(os.path.relpath(logo, page.parent)).as_posix()
        new = _REMOTE_TAG.sub("", _REMOTE_LOGO.sub(rel, text))
        new = re.sub(r"<head>", "<head>" + _OFFLINE_NOTE, new, count=1, flags=re.IGNORECASE)
        if new != text:
            page.write_text(new, encoding="utf-8")


def build_data_docs(con, out_dir: Path) -> Path | None:
    """GX Data Docs (a static HTML site) of the last stored validation of every suite.

    Built by GX's own site builder in a throwaway file context (no network, no analytics) from the
    rows of expectation_results, then copied to out_dir/data_docs. Returns its index.html, or None
    when no suite has been validated yet. The pages show the stored example values: they are for
    the care team, like the report that links them.
    """
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.data_context.context_factory import project_manager
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    stored = stored_results(con)
    if not stored:
        return None
    out_dir = Path(out_dir)
    target = out_dir / "data_docs"
    run_time = datetime.now(timezone.utc)
    previous = validate.context()
    # built inside the run's temporary output folder (removed with it, swept if a run is killed), never in /tmp
    with tempfile.TemporaryDirectory(prefix=".gx-build-", dir=out_dir) as tmp:
        context = gx.get_context(mode="file", project_root_dir=tmp)
        try:
            context.config.analytics_enabled = False
            for suite_name, rows in stored.items():
                try:
                    suite = load_suite(suite_name)
                except KeyError:
                    continue  # rows of a suite that no longer exists
                suite = context.suites.add(suite)
                result = _suite_validation_result(suite, suite_name, rows, run_time)
                key = ValidationResultIdentifier(
                    expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite.name),
                    run_id=RunIdentifier(run_name="aza-audit", run_time=run_time),
                    batch_identifier=f"stg_{suite_name}",
                )
                context.validation_results_store.set(key, result)
            context.build_data_docs()
            site = Path(tmp) / "gx" / "uncommitted" / "data_docs" / "local_site"
            if not (site / "index.html").is_file():
                return None
            if target.exists():
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(site, target)
            _localise(target)
        finally:
            # get_context() made the throwaway context current; do not leave it pointing at a deleted dir
            project_manager.set_project(previous)
    return target / "index.html"
