"""The Dagster definitions load; the job, schedule and sensor are what the nightly operation relies on."""

import dagster as dg

from pipelines.definitions import defs
from pipelines.defs import schedules, sensors


def test_definitions_load_with_the_asset_graph_and_groups():
    specs = {spec.key.to_user_string(): spec for spec in defs.resolve_all_asset_specs()}
    assert {"stg_patients", "stg_prescriptions", "stg_labs", "stg_events", "quarantine"} <= set(specs)
    assert {"episodes", "findings", "rule_summary", "monitoring_compliance", "lymphocyte_response"} <= set(specs)
    assert "audit_report" in specs
    assert specs["stg_labs"].group_name == "ingest"
    assert specs["findings"].group_name == "audit"
    assert specs["audit_report"].group_name == "report"


def test_nightly_job_runs_in_process_so_steps_never_race_for_the_duckdb_lock():
    job = defs.resolve_job_def("nightly_audit")
    assert job.executor_def.name == dg.in_process_executor.name
    assert job.tags.get("aza-audit/database") == "writer"


def test_every_extract_file_has_a_suite_check_and_findings_have_their_checks():
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert {"patients_suite", "prescriptions_suite", "labs_suite", "events_suite", "counts_reconcile"} <= checks
    assert {"finding_patients_exist", "finding_ids_unique", "key_dates_within_data",
            "flagged_within_population"} <= checks


def test_schedule_runs_at_two_in_the_configured_timezone():
    schedule = defs.resolve_schedule_def("nightly_audit_schedule")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == schedules.TIMEZONE == "Europe/London"
    assert schedule.job_name == "nightly_audit"


def test_schedule_audits_as_of_the_scheduled_date():
    import datetime as dt

    context = dg.build_schedule_context(scheduled_execution_time=dt.datetime(2026, 3, 4, 2, 0))
    request = schedules.nightly_audit_schedule(context)
    assert request.run_config["resources"]["settings"]["config"]["as_of"] == "2026-03-04"
    assert request.run_key == "nightly-2026-03-04"


def test_sensor_fires_on_changed_content_and_not_on_unchanged(tmp_path, monkeypatch):
    monkeypatch.setenv("AZA_AUDIT_EXTRACTS", str(tmp_path))
    (tmp_path / "patients.csv").write_text("patient_id\nP1\n")

    first = sensors.extract_change_sensor(dg.build_sensor_context(cursor=None))
    assert isinstance(first, dg.RunRequest)
    fingerprint = first.run_key

    unchanged = sensors.extract_change_sensor(dg.build_sensor_context(cursor=fingerprint))
    assert isinstance(unchanged, dg.SkipReason)

    (tmp_path / "patients.csv").write_text("patient_id\nP1\n")  # rewritten, same bytes
    assert isinstance(sensors.extract_change_sensor(dg.build_sensor_context(cursor=fingerprint)), dg.SkipReason)

    (tmp_path / "patients.csv").write_text("patient_id\nP1\nP2\n")
    changed = sensors.extract_change_sensor(dg.build_sensor_context(cursor=fingerprint))
    assert isinstance(changed, dg.RunRequest)
    assert changed.run_key != fingerprint
    assert changed.run_config["resources"]["settings"]["config"]["extracts_dir"] == str(tmp_path)


def test_sensor_skips_when_there_is_no_extract(tmp_path, monkeypatch):
    monkeypatch.setenv("AZA_AUDIT_EXTRACTS", str(tmp_path / "absent"))
    assert isinstance(sensors.extract_change_sensor(dg.build_sensor_context()), dg.SkipReason)
