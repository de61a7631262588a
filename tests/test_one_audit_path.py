"""One audit, one path: the CLI, a `dg.materialize` of the nightly job's assets and the stage functions
called directly (what the spec harness and the benchmark run) give the same findings.csv; and the UI's
default definitions audit the demo extract right after `make demo`."""

import datetime as dt
import os
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.cli import run_audit
from pipelines.lib import audit
from pipelines.lib.settings import VARIABLES, RunSettings
from pipelines.lib.synthetic import generate

AS_OF = dt.date(2026, 11, 26)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def extracts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("one-path") / "extracts"
    generate(folder, patients=120, seed=5, as_of=AS_OF)
    return folder


def test_cli_materialize_and_the_stage_functions_give_identical_findings(extracts, tmp_path):
    from pipelines.defs.resources import AuditDatabase, AuditSettings
    from pipelines.definitions import ASSET_CHECKS, ASSETS

    cli_out = tmp_path / "cli" / AS_OF.isoformat()
    assert run_audit(extracts, out=cli_out, as_of=AS_OF, db=tmp_path / "cli.duckdb", quiet=True) == 0

    mat_out = tmp_path / "materialize" / AS_OF.isoformat()
    result = dg.materialize(
        [*ASSETS, *ASSET_CHECKS],
        resources={"database": AuditDatabase(database=str(tmp_path / "mat.duckdb")),
                   "settings": AuditSettings(extracts_dir=str(extracts), as_of=AS_OF.isoformat(),
                                             out_dir=str(mat_out))})
    assert result.success

    direct_out = tmp_path / "direct" / AS_OF.isoformat()
    ctx = audit.RunContext.create(RunSettings(extracts_dir=extracts, as_of=AS_OF, out_dir=direct_out,
                                              db_path=tmp_path / "direct.duckdb"))
    con = duckdb.connect(str(tmp_path / "direct.duckdb"))
    try:
        audit.run(con, ctx)
    finally:
        con.close()

    for name in ("findings.csv", "summary.csv", "quarantine.csv", "summary_shareable.csv"):
        reference = (cli_out / name).read_bytes()
        assert (mat_out / name).read_bytes() == reference, name
        assert (direct_out / name).read_bytes() == reference, name
    assert len(reference) > 0


def test_a_dagster_run_writes_a_large_workbook_through_the_worker_process(extracts, tmp_path, monkeypatch):
    """The nightly job's report asset hands worklist.xlsx to a spawned worker process when it is large (here:
    any size): the run succeeds, the workbook opens, and the rows exported for the worker are gone."""
    import openpyxl

    from pipelines.defs.resources import AuditDatabase, AuditSettings
    from pipelines.definitions import ASSET_CHECKS, ASSETS
    from pipelines.lib.worklist import xlsx

    monkeypatch.setattr(xlsx, "PROCESS_ROWS", 0)
    out = tmp_path / "reports" / AS_OF.isoformat()
    result = dg.materialize(
        [*ASSETS, *ASSET_CHECKS],
        resources={"database": AuditDatabase(database=str(tmp_path / "db.duckdb")),
                   "settings": AuditSettings(extracts_dir=str(extracts), as_of=AS_OF.isoformat(), out_dir=str(out))})
    assert result.success
    book = openpyxl.load_workbook(out / "worklist.xlsx")
    assert book.sheetnames == ["Worklist", "Review", "Retrospective", "Summary"] and book["Review"].max_row > 1
    assert not list(out.glob(".worklist-xlsx-*")) and not list(tmp_path.rglob(".worklist-xlsx-*"))


def test_make_dev_after_make_demo_audits_the_demo_extract(tmp_path, monkeypatch):
    """`make demo` writes data/demo-extracts; the UI's definitions (default settings, no variable set)
    then materialise the nightly job on it."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    generate(Path(VARIABLES["AZA_AUDIT_EXTRACTS"].default), patients=60, seed=3, as_of=AS_OF)
    from pipelines.definitions import build_definitions

    defs = build_definitions()
    result = defs.resolve_job_def("nightly_audit").execute_in_process(
        run_config={"resources": {"settings": {"config": {"as_of": AS_OF.isoformat()}}}})
    assert result.success
    assert (tmp_path / "reports" / AS_OF.isoformat() / "report.html").is_file()
    assert (tmp_path / "data" / "audit.duckdb").is_file()


def test_a_failed_run_says_why_in_one_line_at_the_top_of_the_run(tmp_path):
    from pipelines.defs.resources import AuditDatabase, AuditSettings
    from pipelines.definitions import build_definitions

    defs = build_definitions(database=AuditDatabase(database=str(tmp_path / "db.duckdb")),
                             settings=AuditSettings(extracts_dir=str(tmp_path / "absent"), as_of=AS_OF.isoformat(),
                                                    out_dir=str(tmp_path / "out")))
    result = defs.resolve_job_def("nightly_audit").execute_in_process(raise_on_error=False)
    assert not result.success
    failures = [e.step_failure_data.user_failure_data for e in result.all_events if e.is_step_failure]
    assert failures and failures[0].description == f"{tmp_path / 'absent'}: extract directory not found"


def test_every_variable_is_in_the_readme_table_and_read_only_by_the_settings_module():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, variable in VARIABLES.items():
        shown = f"`{variable.default}`" if variable.default else "(unset)"
        assert f"| `{name}` | {shown} |" in readme, name
    for path in (ROOT / "pipelines").rglob("*.py"):
        if path.name == "settings.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert 'environ.get("AZA_AUDIT' not in text and "environ['AZA_AUDIT" not in text, path


def test_no_sql_text_in_the_dagster_definitions():
    import re

    for path in (ROOT / "pipelines" / "defs").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\bselect\b.+\bfrom\b", text, re.IGNORECASE), path
