"""TPMT_INTERMEDIATE_HIGH_DOSE (high): the first prescription of an episode exceeds 1.5 mg/kg/day (weight =
latest in the 365 days up to its start; no weight, no finding) and the latest classified TPMT on or before it
is intermediate; key_date = episode start; value = mg/kg/day."""

from .harness import audit, finding, lab, patient, rx, tpmt, weight

RULE = "TPMT_INTERMEDIATE_HIGH_DOSE"


def _f(patient_id, key_date, value):
    return finding(RULE, patient_id, key_date, value=value, threshold=1.5)


def test_fires_above_and_not_at_1_5_mg_per_kg():
    # P1: 120 mg/day for 60 kg = 2.0 mg/kg/day (fires); P2: 150 mg/day for 100 kg = exactly 1.5 (does not)
    result = audit(as_of="2025-06-01", patients=[patient("P1"), patient("P2")],
                   prescriptions=[rx("R1", "P1", "2025-01-10", daily_dose=120),
                                  rx("R2", "P2", "2025-01-10", daily_dose=150)],
                   labs=[weight("P1", "2025-01-01", 60), tpmt("P1", "2025-01-05", value="Intermediate"),
                         weight("P2", "2025-01-01", 100), tpmt("P2", "2025-01-05", value="Intermediate")],
                   rule=RULE)
    assert result.findings == [_f("P1", "2025-01-10", 2.0)]


def test_a_dose_exactly_at_the_limit_in_decimal_does_not_fire_after_a_unit_conversion():
    # 100 lb = 45.36 kg; 68.04 mg/day is exactly 1.5 mg/kg/day (binary floating point makes it 1.5000000000000002)
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-10", strength=None, daily_dose=68.04)],
                   labs=[lab(None, "P1", "2025-01-01", "WEIGHT", 100, unit="lb"),
                         tpmt("P1", "2025-01-05", value="Intermediate")],
                   rule=RULE)
    assert result.findings == []


def test_tpmt_on_the_day_of_initiation_counts_and_a_later_one_does_not():
    result = audit(as_of="2025-06-01", patients=[patient("P1"), patient("P2")],
                   prescriptions=[rx("R1", "P1", "2025-01-10"), rx("R2", "P2", "2025-01-10")],
                   labs=[weight("P1", "2025-01-10", 50), tpmt("P1", "2025-01-10", value="*1/*3A"),
                         weight("P2", "2025-01-10", 50), tpmt("P2", "2025-01-11", value="*1/*3A")],
                   rule=RULE)
    assert result.findings == [_f("P1", "2025-01-10", 2.0)]


def test_the_most_severe_classified_result_decides_and_unclassified_ones_are_skipped():
    # RULES.md v2: the most severe classified result on or before the start is the phenotype (v1 took the
    # latest, so P2's later "normal" hid the intermediate result); P3's deficient result wins over its
    # intermediate one (the patient is not "intermediate": TPMT_DEFICIENT_PRESCRIBED speaks for them).
    result = audit(as_of="2025-06-01", patients=[patient("P1"), patient("P2"), patient("P3")],
                   prescriptions=[rx("R1", "P1", "2025-01-10"), rx("R2", "P2", "2025-01-10"),
                                  rx("R3", "P3", "2025-01-10")],
                   labs=[weight("P1", "2025-01-01", 50), tpmt("P1", "2024-01-01", value="normal"),
                         tpmt("P1", "2024-06-01", value="intermediate"), tpmt("P1", "2024-09-01", value="unclear"),
                         weight("P2", "2025-01-01", 50), tpmt("P2", "2024-01-01", value="intermediate"),
                         tpmt("P2", "2024-06-01", value="normal"),
                         weight("P3", "2025-01-01", 50), tpmt("P3", "2024-01-01", value="intermediate"),
                         tpmt("P3", "2024-02-01", value="poor metaboliser")],
                   rule=RULE)
    assert result.findings == [_f("P1", "2025-01-10", 2.0), _f("P2", "2025-01-10", 2.0)]


def test_intermediate_activity_range():
    # mU/L: 20 is intermediate, 68 normal
    result = audit(as_of="2025-06-01", patients=[patient("P1"), patient("P2")],
                   prescriptions=[rx("R1", "P1", "2025-01-10"), rx("R2", "P2", "2025-01-10")],
                   labs=[weight("P1", "2025-01-01", 50), tpmt("P1", "2025-01-01", value="20", unit="mU/L"),
                         weight("P2", "2025-01-01", 50), tpmt("P2", "2025-01-01", value="68", unit="mU/L")],
                   rule=RULE)
    assert result.findings == [_f("P1", "2025-01-10", 2.0)]


def test_weight_window_is_the_365_days_up_to_the_start_and_the_latest_weight_is_used():
    # P1: weight exactly 365 days before (used); P2: 366 days before (no weight, no finding);
    # P3: an old 50 kg and a latest 100 kg (1.0 mg/kg, no finding)
    result = audit(as_of="2025-06-01", patients=[patient("P1"), patient("P2"), patient("P3")],
                   prescriptions=[rx("R1", "P1", "2025-01-10"), rx("R2", "P2", "2025-01-10"),
                                  rx("R3", "P3", "2025-01-10")],
                   labs=[weight("P1", "2024-01-11", 50), tpmt("P1", "2025-01-01", value="intermediate"),
                         weight("P2", "2024-01-10", 50), tpmt("P2", "2025-01-01", value="intermediate"),
                         weight("P3", "2024-06-01", 50), weight("P3", "2025-01-09", 100),
                         tpmt("P3", "2025-01-01", value="intermediate")],
                   rule=RULE)
    assert result.findings == [_f("P1", "2025-01-10", 2.0)]


def test_only_the_first_prescription_of_each_episode_counts():
    # episode 1: first 100 mg/day at 100 kg, then 200 mg/day (not first: no finding);
    # episode 2 (after a 61-day break) starts at 200 mg/day: fires
    result = audit(as_of="2025-12-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01"), rx("R2", "P1", "2025-01-29", daily_dose=200),
                                  rx("R3", "P1", "2025-04-27", daily_dose=200)],
                   labs=[weight("P1", "2024-12-01", 100), tpmt("P1", "2024-12-01", value="intermediate")],
                   rule=RULE)
    assert result.findings == [_f("P1", "2025-04-27", 2.0)]


def test_unknown_daily_dose_and_a_cancelled_first_prescription():
    result = audit(as_of="2025-06-01", patients=[patient("P1"), patient("P2")],
                   prescriptions=[rx("R1", "P1", "2025-01-10", strength=None, days_supply=None),
                                  rx("R2", "P2", "2025-01-10", daily_dose=300, status="cancelled"),
                                  rx("R3", "P2", "2025-01-11", daily_dose=50)],
                   labs=[weight("P1", "2025-01-01", 50), tpmt("P1", "2025-01-01", value="intermediate"),
                         weight("P2", "2025-01-01", 50), tpmt("P2", "2025-01-01", value="intermediate")],
                   rule=RULE)
    assert result.findings == []
