"""Current and retrospective findings (RULES.md "Acting on findings"): each rule's header names when its
finding is current; a dead patient's findings never are; `recent_days` (90) and `recent_relapse_days` (365)
bound the windows."""

from .harness import audit, bloods, event, patient, rx, weight

AS_OF = "2025-06-01"


def _status(result):
    current = {r["finding_id"]: r["current"] for r in result.table("finding_status")}
    return {(f["rule_id"], f["key_date"].isoformat()): current[f["finding_id"]] for f in result.table("findings")}


def test_every_rule_says_when_its_finding_is_current():
    from pipelines.lib.rules import CURRENT_WHEN, discover_rules

    assert {r.current_when for r in discover_rules()} <= set(CURRENT_WHEN)
    retrospective = {r.rule_id for r in discover_rules() if r.current_when == "never"}
    assert retrospective == {"TPMT_TESTED_LATE", "MAINTENANCE_MONITORING_GAP", "NO_PRIOR_DMT", "EARLY_DISCONTINUATION"}


def test_tpmt_not_tested_is_current_only_while_on_treatment_and_alive():
    result = audit(as_of=AS_OF, patients=[patient("ON"), patient("OFF"), patient("DEAD", death_date="2025-05-01")],
                   prescriptions=[rx("R1", "ON", "2025-05-01"), rx("R2", "OFF", "2021-01-01"),
                                  rx("R3", "DEAD", "2025-04-20")], rule="TPMT_NOT_TESTED")
    status = {r["finding_id"]: r["current"] for r in result.table("finding_status")}
    by_patient = {f["patient_id"]: status[f["finding_id"]] for f in result.table("findings")}
    assert by_patient == {"ON": True, "OFF": False, "DEAD": False}


def test_a_cytopenia_is_current_for_90_days_after_its_date():
    labs = [dict(result_id=f"W{i}", patient_id="P1", test_code="6690-2", collected_at=day, value="2.0",
                 unit="10*9/L") for i, day in enumerate(["2025-03-03", "2025-03-02"])]
    result = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=200)],
                   labs=labs, rule="CYTOPENIA_ON_TREATMENT")
    assert _status(result) == {("CYTOPENIA_ON_TREATMENT", "2025-03-03"): True,  # as-of - 90
                               ("CYTOPENIA_ON_TREATMENT", "2025-03-02"): False}


def test_a_start_finding_is_current_while_the_episode_is_recent_and_active():
    result = audit(as_of=AS_OF, patients=[patient("NEW"), patient("OLD")],
                   prescriptions=[rx("R1", "NEW", "2025-03-03", days_supply=100), rx("R2", "OLD", "2025-03-02",
                                                                                     days_supply=100)],
                   rule="WEIGHT_MISSING")
    status = {r["finding_id"]: r["current"] for r in result.table("finding_status")}
    assert {f["patient_id"]: status[f["finding_id"]] for f in result.table("findings")} == {"NEW": True, "OLD": False}


def test_a_dose_run_is_current_only_when_it_reaches_the_latest_assessable_regimen():
    doses = [("2025-01-10", 175), ("2025-02-07", 100), ("2025-03-07", 200)]
    result = audit(as_of=AS_OF, patients=[patient("P1")],
                   prescriptions=[rx(f"R{i}", "P1", day, daily_dose=mg, days_supply=28) for i, (day, mg) in
                                  enumerate(doses)] + [rx("R9", "P1", "2025-04-04", days_supply=90)],
                   labs=[weight("P1", "2025-01-01", 50)], rule="DAILY_DOSE_ABOVE_MAX")
    # the 2025-03-07 run is superseded by the 100 mg/day regimen of 2025-04-04: neither run is current
    assert set(_status(result).values()) == {False}
    latest = audit(as_of=AS_OF, patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-04-04", daily_dose=200, days_supply=90)],
                   labs=[weight("P1", "2025-01-01", 50)], rule="DAILY_DOSE_ABOVE_MAX")
    assert set(_status(latest).values()) == {True}


def test_an_open_follow_up_gap_and_a_recent_relapse_are_current_retrospective_rules_never():
    result = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2024-01-01")],
                   labs=bloods("P1", "2024-01-01"),
                   events=[event("E1", "P1", "2024-06-01", "relapse"), event("E2", "P1", "2024-05-01", "relapse")],
                   rule={"POST_STOP_FOLLOWUP_GAP", "RELAPSE_AFTER_STOP_UNTREATED", "EARLY_DISCONTINUATION"})
    status = _status(result)
    assert status[("RELAPSE_AFTER_STOP_UNTREATED", "2024-06-01")] is True  # as-of - 365
    assert status[("RELAPSE_AFTER_STOP_UNTREATED", "2024-05-01")] is False
    assert status[("EARLY_DISCONTINUATION", "2024-01-01")] is False
    gaps = [s for (rule, _), s in status.items() if rule == "POST_STOP_FOLLOWUP_GAP"]
    assert gaps and any(gaps)
