"""TPMT_TESTED_LATE (medium): no TPMT result on or before initiation, but one after it (up to as-of);
key_date = initiation, window = [initiation, first TPMT date], value = days late."""

from .harness import audit, finding, patient, rx, tpmt

RULE = "TPMT_TESTED_LATE"


def test_fires_when_the_first_tpmt_is_the_day_after_initiation():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   labs=[tpmt("P1", "2025-01-11")], rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2025-01-10", window_start="2025-01-10",
                                       window_end="2025-01-11", value=1.0)]


def test_tpmt_on_the_day_of_initiation_is_not_late():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   labs=[tpmt("P1", "2025-01-10"), tpmt("P1", "2025-02-01")], rule=RULE)
    assert result.findings == []


def test_tpmt_before_initiation_is_not_late():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   labs=[tpmt("P1", "2024-06-01")], rule=RULE)
    assert result.findings == []


def test_no_tpmt_at_all_is_not_late_but_untested():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   rule=RULE)
    assert result.findings == []


def test_an_unclassified_tpmt_result_counts_and_the_first_one_after_initiation_is_used():
    # "indeterminate" is a result (tested, unclassified); "sample haemolysed" is a non-result (RULES.md v2):
    # it counts for nothing, so the first TPMT test after initiation is 2025-03-01 for P2
    result = audit(as_of="2025-06-01", patients=[patient("P1"), patient("P2")],
                   prescriptions=[rx("R1", "P1", "2025-01-10"), rx("R2", "P2", "2025-01-10")],
                   labs=[tpmt("P1", "2025-03-01"), tpmt("P1", "2025-02-01", value="indeterminate"),
                         tpmt("P2", "2025-03-01"), tpmt("P2", "2025-02-01", value="sample haemolysed")],
                   rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2025-01-10", window_start="2025-01-10",
                                       window_end="2025-02-01", value=22.0),
                               finding(RULE, "P2", "2025-01-10", window_start="2025-01-10",
                                       window_end="2025-03-01", value=50.0)]


def test_initiation_is_the_first_episode_even_when_tested_before_a_restart():
    # first episode 2024-01-01; TPMT 2024-06-01 is before the second episode but after initiation
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2024-01-01"), rx("R2", "P1", "2024-12-01")],
                   labs=[tpmt("P1", "2024-06-01")], rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2024-01-01", window_start="2024-01-01",
                                       window_end="2024-06-01", value=152.0)]


def test_a_cancelled_first_prescription_does_not_set_initiation():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", status="cancelled"), rx("R2", "P1", "2025-02-01")],
                   labs=[tpmt("P1", "2025-01-15")], rule=RULE)
    assert result.findings == []
    assert result.summary(RULE)["patients_evaluated"] == 1
