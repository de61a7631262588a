"""DAILY_DOSE_ABOVE_MAX (high): daily dose / weight > 3.0 mg/kg/day, weight = the latest in the 365 days up
to the regimen start; one finding per run of consecutive over-limit regimens of an episode (RULES.md v2);
key_date = the run's first start; window = first to last start; value = the highest mg/kg/day; threshold 3.0."""

import pytest

from .harness import audit, finding, lab, patient, rx, weight

RULE = "DAILY_DOSE_ABOVE_MAX"


def test_exactly_3_mg_per_kg_does_not_fire():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-10", daily_dose=150)],
                   labs=[weight("P1", "2025-01-01", 50)], rule=RULE)
    assert result.findings == []
    assert result.summary(RULE)["patients_evaluated"] == 1


def test_exactly_3_mg_per_kg_after_a_pound_conversion_does_not_fire():
    # 100 lb = 45.36 kg; 136.08 mg/day is 3.0 mg/kg/day in decimal (3.0000000000000004 in binary)
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-10", daily_dose=136.08)],
                   labs=[lab(None, "P1", "2025-01-01", "WEIGHT", "100", unit="lb")], rule=RULE)
    assert result.findings == []


def test_just_above_3_mg_per_kg_fires():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-10", daily_dose=151)],
                   labs=[weight("P1", "2025-01-01", 50)], rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2025-01-10", window_start="2025-01-10", window_end="2025-01-10", value=pytest.approx(3.02), threshold=3.0)]
    detail = result.table("findings")[0]["detail"]
    assert "151" in detail and "50" in detail and "3.02" in detail


def test_dose_derived_from_strength_and_quantity():
    # 50 mg x 112 tablets over 28 days = 200 mg/day; 60 kg -> 3.33 mg/kg/day
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-10", quantity=112)],
                   labs=[weight("P1", "2025-01-01", 60)], rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2025-01-10", window_start="2025-01-10", window_end="2025-01-10", value=pytest.approx(200 / 60), threshold=3.0)]


def test_weight_365_days_old_is_used():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-10", daily_dose=200)],
                   labs=[weight("P1", "2024-01-11", 50)], rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2025-01-10", window_start="2025-01-10", window_end="2025-01-10", value=4.0, threshold=3.0)]


def test_weight_366_days_old_is_not_used():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-10", daily_dose=200)],
                   labs=[weight("P1", "2024-01-10", 50)], rule=RULE)
    assert result.findings == []
    assert result.summary(RULE)["patients_evaluated"] == 0


def test_the_latest_weight_is_used():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-10", daily_dose=200)],
                   labs=[weight("P1", "2024-06-01", 50), weight("P1", "2025-01-10", 70)], rule=RULE)
    assert result.findings == []


def test_weight_in_pounds_is_converted():
    # 110 lb = 49.896 kg; 150 mg/day -> 3.006 mg/kg/day
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-10", daily_dose=150)],
                   labs=[lab(None, "P1", "2025-01-01", "WEIGHT", "110", unit="lb")], rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2025-01-10", window_start="2025-01-10", window_end="2025-01-10", value=pytest.approx(150 / (110 * 0.4536)),
                                       threshold=3.0)]


def test_every_prescription_is_checked_not_only_the_first():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-10", daily_dose=100),
                                  rx("R2", "P1", "2025-02-07", daily_dose=175)],
                   labs=[weight("P1", "2025-01-01", 50)], rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2025-02-07", window_start="2025-02-07", window_end="2025-02-07", value=3.5, threshold=3.0)]



def test_a_steady_high_dose_is_one_finding_per_run_not_one_per_repeat():
    # 175 mg/day for 50 kg (3.5) repeated three times, then 125 (2.5), then 200 (4.0): two runs
    doses = [("2025-01-10", 175), ("2025-02-07", 175), ("2025-03-07", 175), ("2025-04-04", 125), ("2025-05-02", 200)]
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx(f"R{i}", "P1", day, daily_dose=mg) for i, (day, mg) in enumerate(doses)],
                   labs=[weight("P1", "2025-01-01", 50)], rule=RULE)
    assert result.findings == [
        finding(RULE, "P1", "2025-01-10", window_start="2025-01-10", window_end="2025-03-07", value=3.5,
                threshold=3.0),
        finding(RULE, "P1", "2025-05-02", window_start="2025-05-02", window_end="2025-05-02", value=4.0,
                threshold=3.0)]


def test_an_unassessable_regimen_neither_extends_nor_breaks_a_run():
    # the middle prescription's dose is unknown: the run goes on across it, with the highest value kept
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-10", daily_dose=175),
                                  rx("R2", "P1", "2025-02-07", strength=None, quantity=None),
                                  rx("R3", "P1", "2025-03-07", daily_dose=200)],
                   labs=[weight("P1", "2025-01-01", 50)], rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2025-01-10", window_start="2025-01-10",
                                       window_end="2025-03-07", value=4.0, threshold=3.0)]


def test_a_same_day_split_regimen_is_summed():
    # 100 mg + 75 mg on the same day for 50 kg: 3.5 mg/kg/day (each alone is within the limit)
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-10", daily_dose=100),
                                  rx("R2", "P1", "2025-01-10", daily_dose=75)],
                   labs=[weight("P1", "2025-01-01", 50)], rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2025-01-10", window_start="2025-01-10",
                                       window_end="2025-01-10", value=3.5, threshold=3.0)]
