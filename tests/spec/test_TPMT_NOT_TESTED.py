"""TPMT_NOT_TESTED (high): the patient has no TPMT result on any date up to as-of; key_date = initiation."""

from .harness import audit, finding, patient, rx, tpmt

RULE = "TPMT_NOT_TESTED"


def test_fires_without_any_tpmt_result():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2025-01-10")]


def test_tpmt_on_the_day_of_initiation_counts_as_tested():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   labs=[tpmt("P1", "2025-01-10")], rule=RULE)
    assert result.findings == []


def test_tpmt_after_initiation_still_counts_as_tested():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   labs=[tpmt("P1", "2025-03-01", value="not reported")], rule=RULE)
    assert result.findings == []


def test_key_date_is_the_first_episode_start_and_one_finding_per_patient():
    result = audit(
        as_of="2025-06-01",
        patients=[patient("P1")],
        prescriptions=[rx("R1", "P1", "2024-01-01"), rx("R2", "P1", "2024-12-01")],  # a restart after a gap
        rule=RULE,
    )
    assert result.findings == [finding(RULE, "P1", "2024-01-01")]


def test_patients_never_on_azathioprine_are_not_evaluated():
    result = audit(as_of="2025-06-01", patients=[patient("P1"), patient("P2")],
                   prescriptions=[rx("R1", "P1", "2025-01-10")],
                   labs=[tpmt("P1", "2024-12-01")], rule=RULE)
    assert result.findings == []
    assert result.summary(RULE)["patients_evaluated"] == 1
