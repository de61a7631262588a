"""Audit: normalised tables, treatment episodes, the rule findings and the report measures."""


import dagster as dg

from pipelines.defs.ingest.assets import STAGED_KEYS
from pipelines.defs.resources import AuditDatabase, AuditSettings
from pipelines.lib import runinfo
from pipelines.lib.audit import available_inputs, sql_params
from pipelines.lib.normalise import codelist_version, normalise, table_counts
from pipelines.lib.profiles import load_profile
from pipelines.lib.rules import build_episodes, run_rules

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


def _profile_and_params(settings: AuditSettings):
    profile = load_profile(settings.profile)
    return profile, sql_params(profile, settings.as_of_date())


@dg.multi_asset(
    group_name="audit",
    specs=[dg.AssetSpec(name, description=text, deps=list(STAGED_KEYS.values()), group_name="audit")
           for name, text in NORMALISED.items()],
    description="Codelists into DuckDB, then the normalised tables the rules read.",
)
def normalised_tables(context: dg.AssetExecutionContext, database: AuditDatabase, settings: AuditSettings):
    profile, params = _profile_and_params(settings)
    with database.connect() as con:
        with runinfo.timed(con, "normalise"):
            normalise(con, params)
        runinfo.set_meta(con, "codelist_version", codelist_version())
        counts = table_counts(con, tuple(NORMALISED))
    for name, rows in counts.items():
        yield dg.MaterializeResult(asset_key=name, metadata={"rows": rows})


@dg.asset(group_name="audit", deps=["aza_prescriptions", "patients"],
          description="Treatment episodes (60-day gap), active at as-of, evaluation end E and maintenance start M.")
def episodes(context: dg.AssetExecutionContext, database: AuditDatabase, settings: AuditSettings):
    profile, params = _profile_and_params(settings)
    with database.connect() as con:
        with runinfo.timed(con, "episodes"):
            build_episodes(con, profile, params)
        row = con.execute("select count(*), count(distinct patient_id), count(*) filter (where is_active) "
                          "from episodes").fetchone()
    return dg.MaterializeResult(metadata={"episodes": row[0], "patients": row[1], "active episodes": row[2],
                                          "profile": profile.name})


FINDINGS_CHECKS = [
    dg.AssetCheckSpec("finding_patients_exist", asset="findings", blocking=True,
                      description="Every finding's patient is in the accepted patients."),
    dg.AssetCheckSpec("finding_ids_unique", asset="findings", blocking=True,
                      description="No two findings share a finding_id."),
    dg.AssetCheckSpec("key_dates_within_data", asset="findings", blocking=True,
                      description="Every key date lies between the earliest record and the as-of date."),
    dg.AssetCheckSpec("flagged_within_population", asset="findings", blocking=True,
                      description="Every flagged patient is in the rule's population (rates stay <= 100%)."),
]


@dg.multi_asset(
    group_name="audit",
    specs=[
        dg.AssetSpec("findings", description="One row per finding of every rule (findings.csv)",
                     deps=["episodes", *NORMALISED], group_name="audit"),
        dg.AssetSpec("rule_summary", description="Per rule and site: evaluated, flagged, findings, rate",
                     deps=["findings"], group_name="audit"),
    ],
    check_specs=FINDINGS_CHECKS,
    description="Run every rule of sql/rules/ and summarise per rule and site.",
)
def findings(context: dg.AssetExecutionContext, database: AuditDatabase, settings: AuditSettings):
    _, params = _profile_and_params(settings)
    with database.connect() as con:
        with runinfo.timed(con, "rules"):
            catalogue = run_rules(con, params, available_inputs(con))
        for row in catalogue:
            if row["evaluated"]:
                context.log.info(f"{row['rule_id']}: {row['findings']:,} findings in {row['seconds']} s")
            else:
                context.log.info(f"{row['rule_id']}: not evaluated ({row['not_evaluated_reason']})")
        total = con.execute("select count(*) from findings").fetchone()[0]
        check_rows = {name: con.execute(query).fetchone()[0] for name, query in _CHECK_QUERIES.items()}
        key_date_bad = con.execute(_KEY_DATE_QUERY, {"as_of": settings.as_of_date()}).fetchone()[0]
    check_rows["key_dates_within_data"] = key_date_bad
    yield dg.MaterializeResult(
        asset_key="findings",
        metadata={"findings": total, "rules evaluated": sum(1 for r in catalogue if r["evaluated"]),
                  "rules not evaluated": sum(1 for r in catalogue if not r["evaluated"])}
        | {f"findings {r['rule_id']}": r["findings"] for r in catalogue if r["evaluated"]},
    )
    yield dg.MaterializeResult(asset_key="rule_summary", metadata={"rules": len(catalogue)})
    for name, bad in check_rows.items():
        yield dg.AssetCheckResult(check_name=name, asset_key="findings", passed=bad == 0,
                                  metadata={"rows failing": bad})


_CHECK_QUERIES = {
    "finding_patients_exist":
        "select count(*) from findings f where not exists (select 1 from stg_patients p where p.patient_id = f.patient_id)",
    "finding_ids_unique":
        "select count(*) from (select finding_id from findings group by finding_id having count(*) > 1)",
    "flagged_within_population":
        "select count(*) from (select distinct rule_id, patient_id from findings) f where not exists "
        "(select 1 from rule_population r where r.rule_id = f.rule_id and r.patient_id = f.patient_id)",
}
_KEY_DATE_QUERY = """
    with bounds as (
        select least(
            (select min(start_date) from stg_prescriptions),
            (select min(collected_date) from stg_labs),
            (select min(event_date) from stg_events)) as earliest
    )
    select count(*) from findings, bounds
    where key_date is not null and (key_date > $as_of or key_date < earliest)
"""


@dg.multi_asset(
    group_name="audit",
    specs=[
        dg.AssetSpec("monitoring_compliance", deps=["episodes", "blood_tests"], group_name="audit",
                     description="At each month end: patients on an active episode with a CBC and an LFT in the previous 92 days"),
        dg.AssetSpec("lymphocyte_response", deps=["episodes", "lab_results"], group_name="audit",
                     description="Latest lymphocyte count over baseline for active episodes older than 90 days"),
        dg.AssetSpec("rule_rates_by_month", deps=["findings", "rule_summary"], group_name="audit",
                     description="Per rule and site: patients evaluated and flagged by month of initiation"),
    ],
    description="The report's measures of RULES.md (not findings).",
)
def measures(context: dg.AssetExecutionContext, database: AuditDatabase, settings: AuditSettings):
    from pipelines.lib.measures import build_measures

    _, params = _profile_and_params(settings)
    with database.connect() as con:
        with runinfo.timed(con, "measures"):
            build_measures(con, params)
        months = con.execute("select count(distinct month_end) from monitoring_compliance").fetchone()[0]
        responses = con.execute("select count(*) from lymphocyte_response").fetchone()[0]
        cohort_months = con.execute("select count(distinct month) from rule_rates_by_month").fetchone()[0]
    yield dg.MaterializeResult(asset_key="monitoring_compliance", metadata={"month ends": months})
    yield dg.MaterializeResult(asset_key="lymphocyte_response", metadata={"episodes": responses})
    yield dg.MaterializeResult(asset_key="rule_rates_by_month", metadata={"initiation months": cohort_months})
