"""Audit: normalised tables, treatment episodes, the rule findings and the report measures.

Thin wrappers of the stage functions of `pipelines.lib.audit`; the SQL of the checks is in sql/checks/."""


import dagster as dg

from pipelines.defs.ingest.assets import STAGED_KEYS
from pipelines.defs.failures import one_line_failure
from pipelines.defs.resources import AuditDatabase, AuditSettings, run_context
from pipelines.lib import audit
from pipelines.lib.normalise import table_counts
from pipelines.lib.sql import query_sql

NORMALISED = {
    "patients": "Patients as the rules see them (site, death on or before as-of)",
    "aza_prescriptions": "Azathioprine prescriptions giving exposure: total mg, days of supply, daily dose, cover",
    "dmt_prescriptions": "Preferred MS disease-modifying therapy prescriptions",
    "lab_results": "Lab results mapped to analytes, in canonical units",
    "blood_tests": "Days on which a full blood count or liver function tests were done",
    "tpmt_results": "TPMT results with their phenotype",
    "weights": "Body weights in kg",
    "events": "Clinical events (infections, clinic visits, contraindications)",
}


@dg.multi_asset(
    group_name="audit",
    specs=[dg.AssetSpec(name, description=text, deps=list(STAGED_KEYS.values()), group_name="audit")
           for name, text in NORMALISED.items()],
    description="Codelists into DuckDB, then the normalised tables the rules read.",
)
def normalised_tables(context: dg.AssetExecutionContext, database: AuditDatabase, settings: AuditSettings):
    with one_line_failure('normalise'), database.get_connection() as con:
        audit.normalise(con, run_context(context, database, settings), log=context.log.info)
        counts = table_counts(con, tuple(NORMALISED))
    for name, rows in counts.items():
        yield dg.MaterializeResult(asset_key=name, metadata={"rows": rows})


@dg.asset(group_name="audit", deps=["aza_prescriptions", "patients"],
          description="Treatment episodes (the profile's gap), active at as-of, evaluation end E and "
                      "maintenance start M.")
def episodes(context: dg.AssetExecutionContext, database: AuditDatabase, settings: AuditSettings):
    ctx = run_context(context, database, settings)
    with one_line_failure('episodes'), database.get_connection() as con:
        audit.episodes(con, ctx, log=context.log.info)
        row = query_sql(con, "checks/episode_counts.sql").fetchone()
    return dg.MaterializeResult(metadata={"episodes": row[0], "patients": row[1], "active episodes": row[2],
                                          "profile": ctx.profile.name})


FINDINGS_CHECKS = {
    "finding_patients_exist": "Every finding's patient is in the accepted patients.",
    "finding_ids_unique": "No two findings share a finding_id.",
    "key_dates_within_data": "Every key date lies between the earliest record and the as-of date.",
    "flagged_within_population": "Every flagged patient is in the rule's population (rates stay <= 100%).",
}


@dg.multi_asset(
    group_name="audit",
    specs=[
        dg.AssetSpec("findings", description="One row per finding of every rule (findings.csv)",
                     deps=["episodes", *NORMALISED], group_name="audit"),
        dg.AssetSpec("rule_summary", description="Per rule and site: evaluated, flagged, findings, rate",
                     deps=["findings"], group_name="audit"),
    ],
    check_specs=[dg.AssetCheckSpec(name, asset="findings", blocking=True, description=text)
                 for name, text in FINDINGS_CHECKS.items()],
    description="Run every rule of sql/rules/ and summarise per rule and site.",
)
def findings(context: dg.AssetExecutionContext, database: AuditDatabase, settings: AuditSettings):
    ctx = run_context(context, database, settings)
    with one_line_failure('rules'), database.get_connection() as con:
        catalogue = audit.rules(con, ctx, log=context.log.info)
        total = table_counts(con, ("findings",))["findings"]
        failing = {name: query_sql(con, f"checks/{name}.sql", ctx.params).fetchone()[0]
                   for name in FINDINGS_CHECKS}
    yield dg.MaterializeResult(
        asset_key="findings",
        metadata={"findings": total, "rules evaluated": sum(1 for r in catalogue if r["evaluated"]),
                  "rules not evaluated": sum(1 for r in catalogue if not r["evaluated"])}
        | {f"findings {r['rule_id']}": r["findings"] for r in catalogue if r["evaluated"]},
    )
    yield dg.MaterializeResult(asset_key="rule_summary", metadata={"rules": len(catalogue)})
    for name, bad in failing.items():
        yield dg.AssetCheckResult(check_name=name, asset_key="findings", passed=bad == 0,
                                  metadata={"rows failing": bad})


@dg.asset(group_name="audit", deps=["findings"],
          description="The care team's review files (the reviews folder) into the review log, bad rows "
                      "quarantined; each finding's latest review (review_status).")
def review_state(context: dg.AssetExecutionContext, database: AuditDatabase, settings: AuditSettings):
    ctx = run_context(context, database, settings)
    with one_line_failure('reviews'), database.get_connection() as con:
        counts = audit.reviews(con, ctx, log=context.log.info, checks=False)
        logged, applied = query_sql(con, "checks/review_counts.sql").fetchone()
    return dg.MaterializeResult(metadata={
        "review files": len(counts), "rows read": sum(c.rows_read for c in counts),
        "rows quarantined": sum(c.rows_quarantined for c in counts), "reviews in the log": logged,
        "findings with a review": applied, "folder": str(ctx.settings.reviews_dir)})


@dg.multi_asset(
    group_name="audit",
    specs=[
        dg.AssetSpec("monitoring_compliance", deps=["episodes", "blood_tests"], group_name="audit",
                     description="At each month end: patients on an active episode with a CBC and an LFT in "
                                 "the profile's look-back"),
        dg.AssetSpec("lymphocyte_response", deps=["episodes", "lab_results"], group_name="audit",
                     description="Latest lymphocyte count over baseline for active episodes past the profile's "
                                 "minimum length"),
        dg.AssetSpec("rule_rates_by_month", deps=["findings", "rule_summary"], group_name="audit",
                     description="Per rule and site: patients evaluated and flagged by month of initiation"),
    ],
    description="The report's measures of RULES.md (not findings).",
)
def measures(context: dg.AssetExecutionContext, database: AuditDatabase, settings: AuditSettings):
    with one_line_failure('measures'), database.get_connection() as con:
        audit.measures(con, run_context(context, database, settings), log=context.log.info)
        months, responses, cohort_months = query_sql(con, "checks/measure_counts.sql").fetchone()
    yield dg.MaterializeResult(asset_key="monitoring_compliance", metadata={"month ends": months})
    yield dg.MaterializeResult(asset_key="lymphocyte_response", metadata={"episodes": responses})
    yield dg.MaterializeResult(asset_key="rule_rates_by_month", metadata={"initiation months": cohort_months})
