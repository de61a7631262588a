"""TREATMENT_DURATION_OVER_LIMIT (high): days on treatment (sum over episodes of E - start + 1) exceed 3,652.
key_date = the day the count passed 3,652 (its 3,653rd day); value = days at as-of; threshold = 3,652."""

from .harness import audit, finding, patient, rx

RULE = "TREATMENT_DURATION_OVER_LIMIT"


def _long(prescription_id, patient_id, start, days):
    return rx(prescription_id, patient_id, start, days_supply=days)


def _f(patient_id, key_date, days):
    return finding(RULE, patient_id, key_date, value=float(days), threshold=3652.0)


def test_3652_days_do_not_fire_and_3653_do():
    # ended episodes from 2010-01-01: 3,652 days end 2019-12-31, 3,653 days end 2020-01-01
    result = audit(as_of="2025-06-01", patients=[patient("P1"), patient("P2")],
                   prescriptions=[_long("R1", "P1", "2010-01-01", 3652), _long("R2", "P2", "2010-01-01", 3653)],
                   rule=RULE)
    assert result.findings == [_f("P2", "2020-01-01", 3653)]


def test_an_active_episode_counts_up_to_as_of():
    # from 2012-01-01 with supply beyond as-of: 3,652 days at 2021-12-30, 3,653 at 2021-12-31
    prescriptions = [_long("R1", "P1", "2012-01-01", 4000)]
    assert audit(as_of="2021-12-30", patients=[patient("P1")], prescriptions=prescriptions,
                 rule=RULE).findings == []
    result = audit(as_of="2021-12-31", patients=[patient("P1")], prescriptions=prescriptions, rule=RULE)
    assert result.findings == [_f("P1", "2021-12-31", 3653)]


def test_days_add_up_over_episodes_and_breaks_do_not_count():
    # episode 1: 2010-01-01, 2,000 days (to 2015-06-23); episode 2 from 2016-01-01, still active at as-of.
    # The count passes 3,652 on episode 2's 1,653rd day: 2020-07-10.
    result = audit(as_of="2021-01-01", patients=[patient("P1")],
                   prescriptions=[_long("R1", "P1", "2010-01-01", 2000), _long("R2", "P1", "2016-01-01", 2000)],
                   rule=RULE)
    assert result.findings == [_f("P1", "2020-07-10", 2000 + 1828)]
    assert result.table("findings")[0]["episode_start"].isoformat() == "2016-01-01"


def test_a_patient_who_died_while_supply_was_running_counts_up_to_death():
    # 4,000 days of supply from 2010-01-01; death on 2019-12-31 (day 3,652) or 2020-01-01 (day 3,653)
    result = audit(as_of="2025-06-01",
                   patients=[patient("P1", death_date="2019-12-31"), patient("P2", death_date="2020-01-01")],
                   prescriptions=[_long("R1", "P1", "2010-01-01", 4000), _long("R2", "P2", "2010-01-01", 4000)],
                   rule=RULE)
    assert result.findings == [_f("P2", "2020-01-01", 3653)]


def test_a_cancelled_prescription_gives_no_days():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[_long("R1", "P1", "2010-01-01", 3652),
                                  _long("R2", "P1", "2019-12-01", 100) | {"status": "cancelled"}],
                   rule=RULE)
    assert result.findings == []
    assert result.summary(RULE)["patients_evaluated"] == 1
