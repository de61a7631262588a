"""What the report reads from DuckDB. Aggregates only, except the functions marked *patient-level*, which
only the care-team outputs call (the shareable outputs are built from ``Aggregates`` alone)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .. import history
from ..runinfo import RunInfo, as_date
from ..settings import PLAUSIBLE_YEARS
from ..rules import SEVERITIES  # noqa: F401  (the one definition; the report's modules import it from here)
from ..sql import load_sql, parameter_names, query_sql, run_sql, table_exists  # noqa: F401

RETROSPECTIVE_HTML_LIMIT = 200  # per rule, in report.html (all are in findings.csv)
CHANGES_HTML_LIMIT = 1000


def frame(con, relpath: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """A small query result (aggregates, capped lists) as a DataFrame."""
    return query_sql(con, relpath, params or {}).df()


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in df.to_dict("records"):
        out.append({k: (None if _na(v) else v) for k, v in row.items()})
    return out


def _na(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


@dataclass
class Aggregates:
    """Everything in the report that is not patient-level. The shareable outputs get only this."""

    indicators: pd.DataFrame  # indicator, site_id, numerator, denominator
    previous_indicators: pd.DataFrame | None
    rule_summary: pd.DataFrame  # report_summary view
    rule_catalog: pd.DataFrame
    compliance: pd.DataFrame | None  # month_end, site_id, patients_active, patients_compliant
    rates_by_month: pd.DataFrame | None  # rule_id, site_id, month, patients_evaluated, patients_flagged
    file_counts: pd.DataFrame | None
    quarantine_reasons: pd.DataFrame | None
    expectations: pd.DataFrame | None  # without examples
    unmapped: pd.DataFrame | None
    changes_by_rule: pd.DataFrame | None
    severity_counts: pd.DataFrame
    findings_total: int
    previous_run: dict[str, Any] | None
    rule_parameters: dict[str, list[str]] = field(default_factory=dict)
    mapping: pd.DataFrame | None = None  # the source format's mapping: per source table read/mapped/unmapped
    coverage: pd.DataFrame | None = None  # per dated file: first and last date, rows per month (care team only)
    equity: pd.DataFrame | None = None  # indicator, dimension (age, sex), group ('ALL' = total), numerator, denominator
    changes_by_site: pd.DataFrame | None = None  # site_id ('ALL' = total), new/escalated/resolved findings
    site_names: pd.DataFrame | None = None  # site_id, site_name (the optional sites file)
    # quarter_end, site_id, patients_active, patients_compliant (patient-months): the shareable report's site
    # panels when some site's months are too small to show (disclosure.apply keeps it only then)
    compliance_quarterly: pd.DataFrame | None = None
    # rule_id, site_id, month (the quarter's last), patients_evaluated, patients_flagged: the shareable report's
    # series for a rule whose months are too small to show (disclosure.apply keeps only those rules)
    rates_by_quarter: pd.DataFrame | None = None


def resolve_previous_run(con, run: RunInfo) -> dict[str, Any] | None:
    """The run this report compares with: ``run.previous_run_id`` if given, else ``history.previous_run`` for
    this run (or, when the run is not in run_history, for its as-of and profile)."""
    run = RunInfo.of(run)
    if not table_exists(con, "run_history"):
        return None
    if run.previous_run_id:
        return history.get_run(con, run.previous_run_id)
    if run.run_id and history.get_run(con, run.run_id):
        return history.previous_run(con, run_id=run.run_id)
    return history.previous_run(con, run.as_of, profile=run.profile_name or None)


def worklist_params(run: RunInfo) -> dict[str, Any]:
    """The SQL parameters the worklist needs: the profile's, and the as-of date."""
    run = RunInfo.of(run)
    return run.params | {"as_of": run.as_of}


_as_date = as_date  # the report's modules import it from here


def rule_parameters(rule_ids: list[str], params: dict[str, Any]) -> dict[str, list[str]]:
    """The profile parameters each rule's SQL binds (``sql/rules/<RULE_ID>.sql``), when the file exists."""
    out = {}
    for rule_id in rule_ids:
        try:
            text = load_sql(f"rules/{rule_id}.sql")
        except FileNotFoundError:
            continue
        out[rule_id] = [name for name in parameter_names(text) if name in params and name != "as_of"]
    return out


def gather(con, run: RunInfo, previous: dict[str, Any] | None) -> Aggregates:
    run = RunInfo.of(run)
    as_of = run.as_of
    params = run.params
    prev_id = previous["run_id"] if previous else None

    from .. import worklist
    from .indicators import INDICATORS, RULE_LINKS

    if not table_exists(con, "finding_tracking"):  # the after-exceptions figures need the reviews applied
        worklist.prepare(con, worklist_params(run), previous["run_id"] if previous else None)
    pairs = [{"indicator": key, "rule_id": rule} for key, rules in RULE_LINKS.items() for rule in rules]
    run_sql(con, "report/indicator_patients.sql", {"as_of": as_of, "indicator_rules": pairs})
    indicators = frame(con, "report/indicators.sql")
    equity = frame(con, "report/equity.sql", params | {
        "as_of": as_of, "rate_indicators": [i.key for i in INDICATORS if i.kind == "rate"]})
    prev_ind = None
    if prev_id and table_exists(con, "indicator_history"):
        prev_ind = frame(con, "report/previous_indicators.sql", {"run_id": prev_id})

    run_sql(con, "report/summary_view.sql")
    summary = frame(con, "report/rule_summary_rows.sql")
    catalog = frame(con, "report/rule_catalog.sql")

    compliance = compliance_quarterly = None
    if table_exists(con, "monitoring_compliance"):
        compliance = frame(con, "report/compliance.sql")
        compliance_quarterly = frame(con, "report/compliance_quarterly.sql")
    rates_by_month = rates_by_quarter = None
    if table_exists(con, "rule_rates_by_month"):
        rates_by_month = frame(con, "report/rates_by_month.sql")
        rates_by_quarter = frame(con, "report/rates_by_quarter.sql")
    file_counts = frame(con, "report/file_counts.sql") if table_exists(con, "file_counts") else \
        pd.DataFrame([{"file": name, "present": True, **info} for name, info in (run.inputs or {}).items()],
                     columns=["file", "present", "format", "sha256", "rows_read", "rows_accepted", "rows_quarantined"])
    reasons = frame(con, "report/quarantine_reasons.sql", {"limit": 50}) if table_exists(con, "quarantine") else None
    expectations = None
    if table_exists(con, "expectation_results"):
        expectations = frame(con, "report/expectations.sql")
    coverage = None
    if all(table_exists(con, f"stg_{name}") for name in ("prescriptions", "labs", "events")):
        low = PLAUSIBLE_YEARS[0]
        coverage = frame(con, "report/coverage.sql", {"as_of": as_of, "date_min": dt.date(low, 1, 1)})
    unmapped = None
    if table_exists(con, "unmapped_codes"):
        unmapped = frame(con, "report/unmapped.sql")
    changes_by_rule = frame(con, "report/changes_by_rule.sql", {"previous_run_id": prev_id}) if prev_id else None
    changes_by_site = frame(con, "report/changes_by_site.sql", {"previous_run_id": prev_id}) if prev_id else None
    site_names = frame(con, "report/site_names.sql") if table_exists(con, "stg_sites") else None
    severity = frame(con, "report/severity_counts.sql")
    total = query_sql(con, "report/findings_count.sql").fetchone()[0]
    return Aggregates(
        indicators=indicators,
        previous_indicators=prev_ind,
        rule_summary=summary,
        rule_catalog=catalog,
        compliance=compliance,
        rates_by_month=rates_by_month,
        file_counts=file_counts,
        coverage=coverage,
        quarantine_reasons=reasons,
        expectations=expectations,
        unmapped=unmapped,
        changes_by_rule=changes_by_rule,
        changes_by_site=changes_by_site,
        equity=equity,
        site_names=site_names,
        compliance_quarterly=compliance_quarterly,
        rates_by_quarter=rates_by_quarter,
        severity_counts=severity,
        findings_total=int(total),
        previous_run=previous,
        rule_parameters=rule_parameters(list(catalog["rule_id"]), params),
        mapping=_mapping_frame(run.mapping),
    )


def _mapping_frame(mapping: dict | None) -> pd.DataFrame | None:
    """The reader's mapping report (OMOP, FHIR, Synthea, MIMIC) as a table: per source table, rows read,
    mapped and unmapped, with the unmapped reasons (shown in the care-team report only)."""
    if not mapping or not mapping.get("tables"):
        return None
    return pd.DataFrame([
        {"source": t["source"], "target": t["target"], "rows_read": t["rows_read"], "rows_mapped": t["rows_mapped"],
         "rows_unmapped": t["rows_unmapped"],
         "reasons": "; ".join(f"{reason} ({n:,})" for reason, n in
                              sorted(t.get("unmapped_reasons", {}).items(), key=lambda kv: -kv[1]))}
        for t in mapping["tables"]
    ])


# --- patient-level: care-team outputs only -------------------------------------------------------------


def worklist_summary(con) -> dict[str, int]:
    """The worklist in numbers (counts; the report's pointer to worklist.html)."""
    cursor = query_sql(con, "report/worklist_summary.sql")
    return dict(zip([d[0] for d in cursor.description], (int(v or 0) for v in cursor.fetchall()[0])))


def retrospective(con, limit: int = RETROSPECTIVE_HTML_LIMIT) -> list[dict[str, Any]]:
    """*Patient-level.* Retrospective findings per rule (capped per rule), for the care-team report."""
    return _records(frame(con, "report/retrospective.sql", {"limit": limit}))


def change_lists(con, previous_run_id: str | None, limit: int = CHANGES_HTML_LIMIT) -> dict[str, list]:
    """*Patient-level.* New and resolved findings (capped)."""
    if not previous_run_id:
        return {"new": [], "resolved": []}
    params = {"previous_run_id": previous_run_id, "limit": limit}
    return {
        "new": _records(frame(con, "report/changes_new.sql", params)),
        "resolved": _records(frame(con, "report/changes_resolved.sql", params)),
    }


def expectation_examples(con) -> dict[tuple[str, str, str], str]:
    """*Patient-level* (examples can be identifiers): examples of failed expectations."""
    if not table_exists(con, "expectation_results"):
        return {}
    rows = query_sql(con, "report/expectation_examples.sql").fetchall()
    return {(s, e, c): str(x)[:300] for s, e, c, x in rows}
