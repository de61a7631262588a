"""The report's measures (RULES.md, "Measures for the report"): monitoring_compliance at month ends and
lymphocyte_response for active episodes, at their boundaries."""

import pytest

from .harness import audit, bloods, cbc, lab, lft, patient, rx

NO_RULES = set()  # measures only


def compliance(result, month_end, site_id="ALL"):
    rows = [r for r in result.table("monitoring_compliance")
            if r["month_end"].isoformat() == month_end and r["site_id"] == site_id]
    assert len(rows) == 1
    row = rows[0]
    return row["patients_active"], row["patients_compliant"], row["rate"]


# ---- monitoring_compliance ----------------------------------------------------------------------------

def test_the_last_24_month_ends_up_to_as_of():
    result = audit(as_of="2025-06-15", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   rule=NO_RULES)
    month_ends = sorted({r["month_end"].isoformat() for r in result.table("monitoring_compliance")})
    assert len(month_ends) == 24
    assert month_ends[0] == "2023-06-30" and month_ends[-1] == "2025-05-31"
    assert "2024-02-29" in month_ends


def test_an_as_of_on_a_month_end_includes_it():
    result = audit(as_of="2025-06-30", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   rule=NO_RULES)
    month_ends = sorted({r["month_end"].isoformat() for r in result.table("monitoring_compliance")})
    assert month_ends[0] == "2023-07-31" and month_ends[-1] == "2025-06-30"


def test_active_from_the_episode_start_to_episode_end_plus_the_gap():
    # P1: episode [2025-01-03, 2025-01-30], active to 2025-03-31 (end + 60) inclusive.
    # P2: episode [2025-01-02, 2025-01-29], active to 2025-03-30: not at the 2025-03-31 month end.
    # P3: episode starts 2025-01-31 (active at that month end); P4 starts 2025-02-01 (not at 2025-01-31).
    result = audit(as_of="2025-06-15", patients=[patient(p) for p in ("P1", "P2", "P3", "P4")],
                   prescriptions=[rx("R1", "P1", "2025-01-03"), rx("R2", "P2", "2025-01-02"),
                                  rx("R3", "P3", "2025-01-31"), rx("R4", "P4", "2025-02-01")],
                   rule=NO_RULES)
    assert compliance(result, "2024-12-31")[0] == 0
    assert compliance(result, "2025-01-31")[0] == 3
    assert compliance(result, "2025-02-28")[0] == 4
    assert compliance(result, "2025-03-31")[0] == 3  # P1, P3, P4
    assert compliance(result, "2025-04-30") == (0, 0, None)  # P3 to 2025-04-28, P4 to 2025-04-29


def test_nobody_is_active_after_death():
    result = audit(as_of="2025-06-15",
                   patients=[patient("P1", death_date="2025-03-31"), patient("P2", death_date="2025-04-01")],
                   prescriptions=[rx("R1", "P1", "2025-01-10", days_supply=180),
                                  rx("R2", "P2", "2025-01-10", days_supply=180)], rule=NO_RULES)
    assert compliance(result, "2025-02-28")[0] == 2
    assert compliance(result, "2025-03-31")[0] == 1
    assert compliance(result, "2025-04-30")[0] == 0


def test_a_cbc_and_an_lft_92_days_before_the_month_end_count_93_do_not():
    # month end 2025-03-31: the look-back is [2024-12-29, 2025-03-31]
    patients = [patient("P1"), patient("P2"), patient("P3"), patient("P4")]
    prescriptions = [rx(f"R{i}", f"P{i}", "2024-12-01", days_supply=180) for i in range(1, 5)]
    labs = (bloods("P1", "2024-12-29")                               # 92 days: compliant
            + bloods("P2", "2024-12-28")                             # 93 days: not
            + [cbc("P3", "2025-03-31")]                              # a CBC but no LFT: not
            + [cbc("P4", "2025-03-31"), lft("P4", "2025-01-15")])    # both, different days: compliant
    result = audit(as_of="2025-06-15", patients=patients, prescriptions=prescriptions, labs=labs,
                   rule=NO_RULES)
    assert compliance(result, "2025-03-31") == (4, 2, 0.5)


def test_per_site_and_overall():
    result = audit(as_of="2025-06-15", patients=[patient("P1", site_id="A"), patient("P2", site_id="B"),
                                                 patient("P3", site_id="B")],
                   prescriptions=[rx(f"R{i}", f"P{i}", "2024-12-01", days_supply=180) for i in range(1, 4)],
                   labs=bloods("P1", "2025-03-01") + bloods("P2", "2025-03-01"), rule=NO_RULES)
    assert compliance(result, "2025-03-31", "A") == (1, 1, 1.0)
    assert compliance(result, "2025-03-31", "B") == (2, 1, 0.5)
    assert compliance(result, "2025-03-31", "ALL") == (3, 2, pytest.approx(2 / 3))
    assert compliance(result, "2024-10-31", "A") == (0, 0, None)


# ---- lymphocyte_response ------------------------------------------------------------------------------

START = "2025-01-10"  # a 180-day prescription: active through the as-of dates below


def lymph(patient_id, day, value, unit="10*9/L"):
    return lab(None, patient_id, day, "LYMPHOCYTES", str(value), unit=unit)


def responses(as_of, labs, patients=("P1",), prescriptions=None):
    result = audit(as_of=as_of, patients=[patient(p) for p in patients],
                   prescriptions=prescriptions or [rx(f"R{p}", p, START, days_supply=180) for p in patients],
                   labs=labs, rule=NO_RULES)
    return {r["patient_id"]: r for r in result.table("lymphocyte_response")}


def test_an_episode_91_days_old_is_measured_90_days_is_not():
    labs = [lymph("P1", "2025-01-01", 2.0), lymph("P1", "2025-03-01", 1.2)]
    assert responses("2025-04-10", labs) == {}  # 90 days after the start
    row = responses("2025-04-11", labs)["P1"]  # 91 days
    assert (row["baseline_date"].isoformat(), row["baseline_value"]) == ("2025-01-01", 2.0)
    assert (row["latest_date"].isoformat(), row["latest_value"]) == ("2025-03-01", 1.2)
    assert row["ratio"] == pytest.approx(0.6) and row["in_target"] is True
    assert row["episode_start"].isoformat() == START and row["site_id"] == "S1"


def test_baseline_is_the_latest_count_in_the_90_days_up_to_the_start():
    # 2024-10-12 is 90 days before the start (baseline), 2024-10-11 is 91 (not)
    on_day_90 = responses("2025-05-01", [lymph("P1", "2024-10-12", 2.0), lymph("P1", "2025-04-01", 1.0)])
    assert on_day_90["P1"]["baseline_date"].isoformat() == "2024-10-12"
    assert responses("2025-05-01", [lymph("P1", "2024-10-11", 2.0), lymph("P1", "2025-04-01", 1.0)]) == {}
    latest_of_two = responses("2025-05-01", [lymph("P1", "2024-12-01", 4.0), lymph("P1", START, 2.0),
                                             lymph("P1", "2025-04-01", 1.0)])
    assert latest_of_two["P1"]["baseline_value"] == 2.0 and latest_of_two["P1"]["ratio"] == 0.5


@pytest.mark.parametrize("baseline,latest,in_target", [
    (2.0, 0.8, True), (2.0, 1.4, True), (2.0, 0.78, False), (2.0, 1.42, False),
    (3.0, 2.1, True),  # 2.1 / 3.0 is 0.7000000000000001 in binary floating point: still 0.7
    (3.0, 1.2, True)])
def test_in_target_is_0_4_to_0_7_of_baseline_both_ends_included(baseline, latest, in_target):
    row = responses("2025-05-01", [lymph("P1", "2025-01-01", baseline), lymph("P1", "2025-04-01", latest)])["P1"]
    assert row["in_target"] is in_target


def test_percentages_are_never_used_and_cells_per_ul_are_converted():
    labs = [lymph("P1", "2025-01-01", 2000, unit="cells/uL"), lymph("P1", "2025-04-01", 1.0),
            lab(None, "P1", "2025-04-02", "LYMPHOCYTES_PCT", "12")]
    row = responses("2025-05-01", labs)["P1"]
    assert row["baseline_value"] == 2.0 and row["latest_date"].isoformat() == "2025-04-01"
    assert row["ratio"] == 0.5


def test_ended_episodes_and_missing_counts_give_no_row():
    labs = [lymph("P1", "2025-01-01", 2.0)]  # no count on treatment
    labs += [lymph("P2", "2025-03-01", 1.0)]  # no baseline
    labs += [lymph("P3", "2025-01-01", 2.0), lymph("P3", "2025-02-01", 1.0)]
    result = responses("2025-09-01", labs, patients=("P1", "P2", "P3"),
                       prescriptions=[rx("R1", "P1", START, days_supply=300), rx("R2", "P2", START, days_supply=300),
                                      rx("R3", "P3", START, days_supply=28)])  # P3 stopped: not active
    assert result == {}


# --- rule rates by month of initiation -------------------------------------------------------------------

def rates(result, rule_id, site_id="ALL"):
    return {(r["month"].isoformat(), r["patients_evaluated"], r["patients_flagged"])
            for r in result.table("rule_rates_by_month") if r["rule_id"] == rule_id and r["site_id"] == site_id}


def test_rates_by_month_of_initiation_per_rule_and_site():
    from .harness import tpmt

    result = audit(
        as_of="2025-06-15",
        patients=[patient("P1", site_id="S1"), patient("P2", site_id="S1"), patient("P3", site_id="S2")],
        prescriptions=[rx("R1", "P1", "2025-01-31"), rx("R2", "P2", "2025-01-01"), rx("R3", "P3", "2025-03-10")],
        labs=[tpmt("P2", "2024-12-20")],
        rule={"TPMT_NOT_TESTED", "MONITORING_OVERDUE"},
    )
    assert rates(result, "TPMT_NOT_TESTED") == {("2025-01-01", 2, 1), ("2025-03-01", 1, 1)}
    assert rates(result, "TPMT_NOT_TESTED", "S1") == {("2025-01-01", 2, 1)}
    assert rates(result, "TPMT_NOT_TESTED", "S2") == {("2025-03-01", 1, 1)}
    # a rule about the state at as-of has no cohort series
    assert rates(result, "MONITORING_OVERDUE") == set()


def test_only_initiations_in_the_last_compliance_months_are_charted():
    result = audit(as_of="2025-06-15", patients=[patient("P1"), patient("P2")],
                   prescriptions=[rx("R1", "P1", "2023-06-15"), rx("R2", "P2", "2023-06-16")],
                   rule="TPMT_NOT_TESTED")
    assert rates(result, "TPMT_NOT_TESTED") == {("2023-06-01", 1, 1)}
