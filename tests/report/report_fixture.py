"""A small registry built directly as the DuckDB tables the report reads (docs/ARCHITECTURE.md).

30 patients (ids ``PAT-001`` .. ``PAT-030``) at three sites: S1 has PAT-001..015, S2 PAT-016..025,
S3 PAT-026..030. As of 2024-06-30. Night 1 and night 2 differ by one resolved and one new finding:

- night 1 has MONITORING_OVERDUE for PAT-004 (resolved on night 2);
- night 2 has CYTOPENIA_ON_TREATMENT for PAT-010 (new on night 2).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import duckdb

AS_OF = dt.date(2024, 6, 30)
PATIENTS = [f"PAT-{i:03d}" for i in range(1, 31)]


def site_of(pid: str) -> str:
    n = int(pid[-3:])
    return "S1" if n <= 15 else "S2" if n <= 25 else "S3"


CATALOG = [
    # rule_id, severity, population, requires, fires_when, evaluated, reason
    ("TPMT_NOT_TESTED", "high", "initiated", None, "the patient has no TPMT result on any date up to as-of", True, None),
    ("TPMT_TESTED_LATE", "medium", "initiated", None, "no TPMT result on or before initiation, but one after it", True, None),
    ("TPMT_DEFICIENT_PRESCRIBED", "critical", "initiated", None, "an azathioprine prescription starts on or after a TPMT result classified deficient", True, None),
    ("INDUCTION_MONITORING_GAP", "medium", "episodes", None, "no CBC (resp. LFT) inside an induction window", True, None),
    ("MAINTENANCE_MONITORING_GAP", "medium", "episodes", None, "two consecutive maintenance tests more than maintenance_max_gap_days apart", True, None),
    ("MONITORING_OVERDUE", "high", "active", None, "active episode and the last test more than maintenance_max_gap_days ago", True, None),
    ("CUMULATIVE_DOSE_OVER_LIMIT", "high", "initiated", None, "cumulative dose exceeds cumulative_limit_mg", True, None),
    ("TREATMENT_DURATION_OVER_LIMIT", "high", "initiated", None, "days on treatment exceed duration_limit_days", True, None),
    ("CYTOPENIA_ON_TREATMENT", "high", "episodes", None, "a blood count below its threshold during an episode", True, None),
    ("INFECTION_ON_TREATMENT", "critical", "episodes", "events", "a serious infection or sepsis and azathioprine restarted within 30 days", False,
     "the optional events file was not supplied"),
]

POPULATION_ALL = ["TPMT_NOT_TESTED", "TPMT_TESTED_LATE", "TPMT_DEFICIENT_PRESCRIBED", "INDUCTION_MONITORING_GAP",
                  "MAINTENANCE_MONITORING_GAP", "CUMULATIVE_DOSE_OVER_LIMIT", "TREATMENT_DURATION_OVER_LIMIT",
                  "CYTOPENIA_ON_TREATMENT"]
ACTIVE = PATIENTS[:20]

XSS = '<script>alert("x")</script> & "quoted"'


def findings_rows(night: int):
    d = dt.date
    rows = [
        # rule_id, severity, patient, episode_start, test, key_date, window_start, window_end, value, threshold, detail
        ("TPMT_NOT_TESTED", "high", "PAT-001", d(2024, 1, 15), None, d(2024, 1, 15), None, None, None, None, "No TPMT result on record; test TPMT."),
        ("TPMT_NOT_TESTED", "high", "PAT-002", d(2024, 1, 15), None, d(2024, 1, 15), None, None, None, None, "No TPMT result on record; test TPMT."),
        ("TPMT_NOT_TESTED", "high", "PAT-016", d(2020, 1, 1), None, d(2020, 1, 1), None, None, None, None, "No TPMT result on record; test TPMT."),
        ("TPMT_TESTED_LATE", "medium", "PAT-003", d(2024, 1, 15), None, d(2024, 1, 15), None, d(2024, 2, 1), None, None, "TPMT tested 17 days after the first dose."),
        ("INDUCTION_MONITORING_GAP", "medium", "PAT-005", d(2024, 1, 15), "CBC", d(2024, 1, 22), d(2024, 1, 22), d(2024, 1, 28), None, None, "No full blood count in week 2."),
        ("INDUCTION_MONITORING_GAP", "medium", "PAT-005", d(2024, 1, 15), "LFT", d(2024, 1, 22), d(2024, 1, 22), d(2024, 1, 28), None, None, "No liver tests in week 2."),
        ("INDUCTION_MONITORING_GAP", "medium", "PAT-026", d(2020, 1, 1), "CBC", d(2020, 1, 8), d(2020, 1, 8), d(2020, 1, 14), None, None, "No full blood count in week 2."),
        ("MAINTENANCE_MONITORING_GAP", "medium", "PAT-009", d(2020, 1, 1), "CBC", d(2021, 1, 1), d(2021, 1, 1), d(2021, 6, 1), 151, 92, XSS),
        ("MONITORING_OVERDUE", "high", "PAT-017", d(2020, 1, 1), "CBC", d(2024, 1, 1), d(2024, 1, 1), AS_OF, 181, 92, "Full blood count overdue since 2024-04-02."),
        ("CUMULATIVE_DOSE_OVER_LIMIT", "high", "PAT-006", d(2010, 1, 1), None, d(2023, 5, 1), None, None, 612.5, 600, "Cumulative dose 612.5 g, over the 600 g limit."),
        ("TPMT_DEFICIENT_PRESCRIBED", "critical", "PAT-007", d(2020, 1, 1), None, d(2020, 1, 1), None, None, None, None, "Azathioprine prescribed after a deficient TPMT result: stop and review."),
        ("CYTOPENIA_ON_TREATMENT", "high", "PAT-008", d(2020, 1, 1), "WBC", d(2024, 5, 1), None, None, 2.9, 3.5, "White cells 2.9 x10^9/L on 2024-05-01."),
    ]
    if night == 1:
        rows.append(("MONITORING_OVERDUE", "high", "PAT-004", d(2024, 1, 15), "CBC", d(2024, 3, 2), d(2024, 3, 2), AS_OF, 120, 92,
                     "Full blood count overdue since 2024-06-02."))
    else:
        rows.append(("CYTOPENIA_ON_TREATMENT", "high", "PAT-010", d(2020, 1, 1), "PLATELETS", d(2024, 6, 20), None, None, 120, 140,
                     "Platelets 120 x10^9/L on 2024-06-20."))
    out = []
    for r in rows:
        rule_id, sev, pid, ep, test, key = r[:6]
        fid = hashlib.sha256(f"{rule_id}|{pid}|{test or ''}|{key}".encode()).hexdigest()[:16]
        out.append((fid, rule_id, sev, pid, site_of(pid), ep, test, key, *r[6:]))
    return out


def finding_id(rule_id, pid, test, key):
    return hashlib.sha256(f"{rule_id}|{pid}|{test or ''}|{key}".encode()).hexdigest()[:16]


def build_registry(con, night: int = 1, *, with_unmapped: bool = True) -> None:
    """(Re)create every run table of one night."""
    con.execute("create or replace table patients (patient_id varchar, site_id varchar, birth_date date, sex varchar, ms_course varchar, death_date date)")
    con.executemany("insert into patients values (?, ?, date '1980-01-01', 'F', 'RRMS', null)", [(p, site_of(p)) for p in PATIENTS])

    con.execute("""create or replace table episodes (patient_id varchar, episode_no integer, episode_start date, episode_end date,
        is_active boolean, eval_end date, maintenance_start date, first_prescription_id varchar, is_last boolean)""")
    eps = []
    for i, p in enumerate(PATIENTS, start=1):
        start = dt.date(2024, 1, 15) if i <= 5 else dt.date(2020, 1, 1)
        active = p in ACTIVE
        end = dt.date(2024, 6, 15) if active else dt.date(2022, 1, 1)
        eps.append((p, 1, start, end, active, AS_OF if active else end, start + dt.timedelta(days=28), f"RX-{i}", True))
    con.executemany("insert into episodes values (?, ?, ?, ?, ?, ?, ?, ?, ?)", eps)

    con.execute("""create or replace table findings (finding_id varchar, rule_id varchar, severity varchar, patient_id varchar,
        site_id varchar, episode_start date, test varchar, key_date date, window_start date, window_end date,
        value double, threshold double, detail varchar)""")
    con.executemany("insert into findings values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", findings_rows(night))

    # what the rules runner writes beside the findings (sql/findings/status.sql): current or retrospective
    con.execute("create or replace table finding_status as select finding_id, rule_id like 'MONITORING_%' as current "
                "from findings")
    con.execute("create or replace table rule_catalog (rule_id varchar, severity varchar, population varchar, requires varchar, fires_when varchar, evaluated boolean, not_evaluated_reason varchar)")
    con.executemany("insert into rule_catalog values (?, ?, ?, ?, ?, ?, ?)", CATALOG)
    # the rule headers' plain English (title, why), as the rules runner writes them
    con.execute("alter table rule_catalog add column title varchar")
    con.execute("alter table rule_catalog add column why varchar")
    con.execute("update rule_catalog set title = 'Title of ' || rule_id, why = 'Why ' || rule_id || ' matters.'")
    build_clinical_tables(con)

    con.execute("create or replace table rule_population (rule_id varchar, patient_id varchar)")
    pop = [(r, p) for r in POPULATION_ALL for p in PATIENTS] + [("MONITORING_OVERDUE", p) for p in ACTIVE]
    con.executemany("insert into rule_population values (?, ?)", pop)

    con.execute("""create or replace table rule_summary as
        with pop as (
            select rp.rule_id, rp.patient_id, p.site_id from rule_population rp join patients p using (patient_id)
        ), f as (
            select rule_id, patient_id, count(*) n from findings group by all
        )
        select pop.rule_id, case when grouping(pop.site_id) = 1 then 'ALL' else pop.site_id end as site_id,
               count(*) as patients_evaluated, count(f.patient_id) as patients_flagged,
               coalesce(sum(f.n), 0)::bigint as findings,
               count(f.patient_id) / count(*) as rate
        from pop left join f on f.rule_id = pop.rule_id and f.patient_id = pop.patient_id
        group by grouping sets ((pop.rule_id, pop.site_id), (pop.rule_id))
        union all
        select 'INFECTION_ON_TREATMENT', 'ALL', null, null, null, null""")

    con.execute("create or replace table monitoring_compliance (month_end date, site_id varchar, patients_active bigint, patients_compliant bigint, rate double)")
    rows = []
    sizes = {"S1": 12, "S2": 6, "S3": 2}
    for m in range(24):
        year, month = divmod(2022 * 12 + 6 + m, 12)  # month ends Jul 2022 .. Jun 2024
        first_next = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
        month_end = first_next - dt.timedelta(days=1)
        total_a = total_c = 0
        for s, a in sizes.items():
            c = a - (m % 3 == 0) - (s == "S2" and m == 20) * 5
            c = max(c, 0)
            rows.append((month_end, s, a, c, c / a))
            total_a += a
            total_c += c
        rows.append((month_end, "ALL", total_a, total_c, total_c / total_a))
    con.executemany("insert into monitoring_compliance values (?, ?, ?, ?, ?)", rows)

    con.execute("""create or replace table lymphocyte_response (patient_id varchar, site_id varchar, episode_start date,
        baseline_date date, baseline_value double, latest_date date, latest_value double, ratio double, in_target boolean)""")
    con.executemany(
        "insert into lymphocyte_response values (?, ?, date '2020-01-01', date '2019-12-01', 2.0, date '2024-06-01', ?, ?, ?)",
        [(p, site_of(p), 2.0 * (0.55 if i < 6 else 0.9), 0.55 if i < 6 else 0.9, i < 6) for i, p in enumerate(PATIENTS[:10])],
    )

    con.execute("create or replace table file_counts (file varchar, present boolean, format varchar, sha256 varchar, rows_read bigint, rows_accepted bigint, rows_quarantined bigint)")
    con.executemany("insert into file_counts values (?, ?, ?, ?, ?, ?, ?)", [
        ("patients", True, "csv", "a" * 64, 31, 30, 1),
        ("prescriptions", True, "csv", "b" * 64, 120, 117, 3),
        ("labs", True, "parquet", "c" * 64, 900, 900, 0),
        ("events", False, None, None, 0, 0, 0),
    ])
    con.execute("create or replace table quarantine (file varchar, line bigint, reasons varchar, raw varchar)")
    con.executemany("insert into quarantine values (?, ?, ?, ?)", [
        ("patients", 7, "duplicate patient_id", "PAT-005,S1,1980-01-01,F,RRMS,"),
        ("prescriptions", 12, "unparseable start_date; negative quantity", "RX-99,PAT-011,Imuran,,2024-13-01,,,-5"),
        ("prescriptions", 40, "unknown patient", "RX-100,PAT-999,Azathioprine 50mg,,2024-01-01"),
        ("prescriptions", 41, "unknown patient", "RX-101,PAT-998,Azathioprine 50mg,,2024-01-01"),
    ])
    con.execute("create or replace table expectation_results (suite varchar, expectation varchar, column_name varchar, success boolean, element_count bigint, unexpected_count bigint, examples varchar)")
    con.executemany("insert into expectation_results values (?, ?, ?, ?, ?, ?, ?)", [
        ("patients", "expect_column_values_to_be_unique", "patient_id", True, 30, 0, None),
        ("prescriptions", "expect_column_values_to_not_be_null", "strength", False, 117, 9, "['PAT-012', 'PAT-013']"),
    ])
    if with_unmapped:
        con.execute("create or replace table unmapped_codes (kind varchar, code varchar, name varchar, rows bigint)")
        con.executemany("insert into unmapped_codes values (?, ?, ?, ?)", [
            ("lab", "99999-9", "Mystery assay", 12), ("drug", None, "Aza-something 10mg", 3),
        ])


def build_clinical_tables(con) -> None:
    """The normalised tables the worklist reads (its timeline and treatment columns), with a few rows: a
    regimen, tests, a TPMT result and a weight per active patient."""
    con.execute("create or replace table regimens (patient_id varchar, episode_no integer, episode_start date, "
                "regimen_start date, is_first boolean, prescriptions bigint, daily_dose_mg double, weight_date date, "
                "weight_kg double, mg_per_kg double)")
    con.execute("create or replace table aza_prescriptions (prescription_id varchar, patient_id varchar, drug_name varchar, "
                "start_date date, days_supply integer, total_mg double, daily_dose_mg double, cover_start date, "
                "cover_end date, dose_known boolean)")
    con.execute("create or replace table blood_tests (patient_id varchar, test_date date, test varchar)")
    con.execute("create or replace table tpmt_results (result_id varchar, patient_id varchar, collected_date date, phenotype varchar)")
    con.execute("create or replace table episode_tpmt (patient_id varchar, episode_no integer, episode_start date, "
                "phenotype varchar, tpmt_date date)")
    con.execute("create or replace table weights (patient_id varchar, collected_date date, weight_kg double)")
    con.execute("create or replace table events (event_id varchar, patient_id varchar, event_date date, event_type varchar)")
    con.execute("create or replace table monitored_tests (test varchar, label varchar, short varchar, position bigint)")
    con.execute("insert into monitored_tests values ('CBC', 'Full blood count', 'full blood count (CBC)', 1), "
                "('LFT', 'Liver function tests', 'liver function test (LFT)', 2)")
    con.execute("create or replace table schedule_windows (window_no integer, start_offset integer, end_offset integer)")
    con.execute("insert into schedule_windows values (1, 0, 6), (2, 7, 13), (3, 14, 20), (4, 21, 27)")
    con.execute("""create or replace table monitoring_last_points as
        select e.patient_id, e.episode_start, e.maintenance_start, m.test, date '2024-02-20' as last_point
        from episodes e cross join monitored_tests m where e.is_active""")
    con.execute("""insert into regimens select e.patient_id, 1, e.episode_start, e.episode_start, true, 1, 100, e.episode_start,
        70, 100 / 70 from episodes e where e.is_active""")
    con.execute("""insert into aza_prescriptions select 'RX-' || e.patient_id, e.patient_id, 'Azathioprine 50mg',
        e.episode_start, 28, 2800, 100, e.episode_start, e.episode_start + 27, true from episodes e""")
    con.execute("""insert into blood_tests select e.patient_id, date '2024-02-20', m.test
        from episodes e cross join monitored_tests m where e.is_active""")
    con.execute("""insert into tpmt_results select 'T-' || patient_id, patient_id, episode_start - 10, 'normal'
        from episodes where is_active""")
    con.execute("insert into weights select patient_id, episode_start, 70 from episodes where is_active")
    con.execute("insert into events select 'E-' || patient_id, patient_id, episode_start + 40, 'clinic_visit' "
                "from episodes where is_active")


def profile_dict():
    from pipelines.lib.profiles import load_profile

    return load_profile("default").as_dict()


def run_info(run_id: str = "run-1", **extra):
    info = {
        "as_of": AS_OF,
        "profile": profile_dict(),
        "run_id": run_id,
        "registry_name": "Fixture MS Registry",
        "version": "0.1.0",
        "codelist_version": "2024.06",
        "inputs": {
            "patients": {"sha256": "a" * 64, "rows_read": 31, "rows_accepted": 30, "rows_quarantined": 1},
        },
        "timings": {"ingest": 0.1},
        "events_present": False,
        "data_docs": None,
    }
    info.update(extra)
    return info
