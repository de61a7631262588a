"""WEIGHT_MISSING (low): the first prescription of an episode has no weight in the 365 days up to its start;
key_date = episode start."""

from .harness import audit, finding, lab, patient, rx, weight

RULE = "WEIGHT_MISSING"


def test_fires_without_a_weight():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2025-01-10", window_start="2024-01-11",
                                       window_end="2025-01-10")]


def test_a_weight_365_days_old_counts():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   labs=[weight("P1", "2024-01-11", 70)], rule=RULE)
    assert result.findings == []


def test_a_weight_366_days_old_does_not_count():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   labs=[weight("P1", "2024-01-10", 70)], rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2025-01-10", window_start="2024-01-11",
                                       window_end="2025-01-10")]


def test_a_weight_after_the_first_prescription_does_not_count():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-10"), rx("R2", "P1", "2025-02-07")],
                   labs=[weight("P1", "2025-01-11", 70)], rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2025-01-10", window_start="2024-01-11",
                                       window_end="2025-01-10")]


def test_a_weight_in_pounds_counts_but_an_uninterpretable_one_does_not():
    result = audit(as_of="2025-06-01", patients=[patient("P1"), patient("P2")],
                   prescriptions=[rx("R1", "P1", "2025-01-10"), rx("R2", "P2", "2025-01-10")],
                   labs=[lab(None, "P1", "2025-01-01", "WEIGHT", "154", unit="lb"),
                         lab(None, "P2", "2025-01-01", "WEIGHT", "11", unit="stone")], rule=RULE)
    assert [f["patient_id"] for f in result.findings] == ["P2"]


def test_one_finding_per_episode():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2023-01-10"), rx("R2", "P1", "2025-01-10")],
                   labs=[weight("P1", "2023-01-01", 70)], rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2025-01-10", window_start="2024-01-11",
                                       window_end="2025-01-10")]
