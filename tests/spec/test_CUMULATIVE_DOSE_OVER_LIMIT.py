"""CUMULATIVE_DOSE_OVER_LIMIT (high): running sum of total mg over all azathioprine prescriptions starting up
to as-of (order: start date, then prescription_id; unknown totals add 0) exceeds 600,000 mg. key_date = start
of the prescription that crossed it; value = total g at as-of; threshold = 600 g."""

from .harness import audit, finding, patient, rx

RULE = "CUMULATIVE_DOSE_OVER_LIMIT"
AS_OF = "2025-06-01"


def _big(prescription_id, patient_id, start, mg):
    """A long prescription of `mg` in total: 200 mg/day x mg/200 days (total = daily dose x days)."""
    return rx(prescription_id, patient_id, start, strength=None, daily_dose=200, days_supply=mg // 200)


def _f(patient_id, key_date, grams):
    return finding(RULE, patient_id, key_date, value=grams, threshold=600.0)


def test_exactly_the_limit_does_not_fire_and_one_tablet_more_does():
    result = audit(as_of=AS_OF, patients=[patient("P1"), patient("P2")],
                   prescriptions=[_big("R1", "P1", "2015-01-01", 600_000),
                                  _big("R2", "P2", "2015-01-01", 600_000),
                                  rx("R3", "P2", "2024-01-01", quantity=1)],  # one 50 mg tablet
                   rule=RULE)
    assert result.findings == [_f("P2", "2024-01-01", 600.05)]


def test_key_date_is_the_crossing_prescription_and_value_the_total_at_as_of():
    result = audit(as_of=AS_OF, patients=[patient("P1")],
                   prescriptions=[_big("R1", "P1", "2015-01-01", 590_000), rx("R2", "P1", "2023-02-01"),
                                  rx("R3", "P1", "2023-03-01", days_supply=100, strength=100, quantity=100),
                                  rx("R4", "P1", "2023-06-01")],
                   rule=RULE)
    # 590,000 + 2,800 + 10,000 (crosses on 2023-03-01) + 2,800 = 605,600 mg
    assert result.findings == [_f("P1", "2023-03-01", 605.6)]


def test_order_is_start_date_not_file_order_and_episodes_do_not_reset_the_sum():
    # listed out of order; three episodes; the sum carries across them
    result = audit(as_of=AS_OF, patients=[patient("P1")],
                   prescriptions=[_big("R3", "P1", "2024-06-01", 200_000), _big("R1", "P1", "2015-01-01", 200_000),
                                  _big("R2", "P1", "2019-01-01", 200_000), rx("R4", "P1", "2025-05-01")],
                   rule=RULE)
    assert result.findings == [_f("P1", "2025-05-01", 602.8)]
    assert result.table("findings")[0]["episode_start"].isoformat() == "2024-06-01"


def test_unknown_totals_add_zero_and_cancelled_prescriptions_add_nothing():
    result = audit(as_of=AS_OF, patients=[patient("P1")],
                   prescriptions=[_big("R1", "P1", "2015-01-01", 600_000),
                                  rx("R2", "P1", "2024-01-01", strength=None),  # total unknown
                                  _big("R3", "P1", "2024-02-01", 1_000) | {"status": "cancelled"}],
                   rule=RULE)
    assert result.findings == []


def test_strength_in_grams_counts_in_mg():
    result = audit(as_of=AS_OF, patients=[patient("P1")],
                   prescriptions=[_big("R1", "P1", "2015-01-01", 598_000),
                                  rx("R2", "P1", "2024-01-01", strength=0.05, strength_unit="g", quantity=56)],
                   rule=RULE)
    assert result.findings == [_f("P1", "2024-01-01", 600.8)]


def test_prescriptions_after_as_of_are_not_counted():
    result = audit(as_of="2023-12-31", patients=[patient("P1")],
                   prescriptions=[_big("R1", "P1", "2015-01-01", 600_000), rx("R2", "P1", "2024-01-01")],
                   rule=RULE)
    assert result.findings == []
