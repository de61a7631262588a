"""INFECTION_ON_TREATMENT (critical, requires events): a serious_infection or sepsis event in
[episode_start, episode_end] and an azathioprine prescription starting in [event_date, event_date + 30];
key_date = event date."""

from .harness import audit, event, finding, patient, rx

RULE = "INFECTION_ON_TREATMENT"
# episode [2025-01-10, 2025-02-06] with the first prescription; sepsis on 2025-02-01
FIRST = rx("R1", "P1", "2025-01-10")


def test_a_prescription_30_days_after_sepsis_fires():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[FIRST, rx("R2", "P1", "2025-03-03")],
                   events=[event("E1", "P1", "2025-02-01", "sepsis")], rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2025-02-01", window_start="2025-02-01",
                                       window_end="2025-03-03", value=30, threshold=30)]
    detail = result.table("findings")[0]["detail"]
    assert "Sepsis recorded 2025-02-01" in detail and "2025-03-03" in detail


def test_a_prescription_31_days_after_a_serious_infection_does_not_fire():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[FIRST, rx("R2", "P1", "2025-03-04")],
                   events=[event("E1", "P1", "2025-02-01", "serious_infection")], rule=RULE)
    assert result.findings == []
    assert result.summary(RULE)["patients_evaluated"] == 1


def test_a_prescription_on_the_day_of_the_event_is_not_a_restart_the_next_day_is():
    # RULES.md v2: a prescription issued on the event day may predate the event (v1 fired on it)
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[FIRST, rx("R2", "P1", "2025-02-01")],
                   events=[event("E1", "P1", "2025-02-01", "serious_infection")], rule=RULE)
    assert result.findings == []
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[FIRST, rx("R2", "P1", "2025-02-02")],
                   events=[event("E1", "P1", "2025-02-01", "serious_infection")], rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2025-02-01", window_start="2025-02-01",
                                       window_end="2025-03-03", value=1, threshold=30)]


def test_infection_outside_the_episode_or_other_events_do_not_fire():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[FIRST, rx("R2", "P1", "2025-02-20")],
                   events=[event("E1", "P1", "2025-01-09", "sepsis"),          # before the episode
                           event("E2", "P1", "2025-02-01", "relapse")], rule=RULE)
    assert result.findings == []
    assert result.summary(RULE)["patients_evaluated"] == 0


def test_sepsis_and_serious_infection_the_same_day_give_one_finding():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[FIRST, rx("R2", "P1", "2025-02-10"), rx("R3", "P1", "2025-02-20")],
                   events=[event("E1", "P1", "2025-02-01", "sepsis"),
                           event("E2", "P1", "2025-02-01", "serious_infection")], rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2025-02-01", window_start="2025-02-01",
                                       window_end="2025-03-03", value=9, threshold=30)]


def test_without_the_events_file_the_rule_is_not_evaluated():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[FIRST, rx("R2", "P1", "2025-02-10")], rule=RULE)
    assert result.findings == []
    [row] = [r for r in result.catalogue if r["rule_id"] == RULE]
    assert row["evaluated"] is False and "events" in row["not_evaluated_reason"]
    summary = result.summary(RULE)
    assert summary["patients_evaluated"] is None and summary["patients_flagged"] is None
    assert summary["findings"] is None and summary["rate"] is None
