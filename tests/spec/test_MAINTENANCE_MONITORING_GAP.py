"""MAINTENANCE_MONITORING_GAP (medium): per episode and test from M = start + 28 to E; the clock starts at the
latest test in [start, M - 1], else at M; consecutive points (clock start, then each test in [M, E]) more than
92 days apart; for an episode that is not active, also the last point to E. key_date = the earlier point,
window = the two points, value = days between them, threshold = 92."""

from .harness import audit, bloods, cbc, finding, lft, patient, rx

RULE = "MAINTENANCE_MONITORING_GAP"
# Episodes start 2025-01-01, so M = 2025-01-29.


def _f(patient_id, test, start, end, days):
    return finding(RULE, patient_id, start, test=test, window_start=start, window_end=end, value=float(days),
                   threshold=92.0)


def _both(patient_id, start, end, days):
    return [_f(patient_id, "CBC", start, end, days), _f(patient_id, "LFT", start, end, days)]


def test_a_gap_of_exactly_92_days_is_allowed_and_93_days_fires():
    result = audit(as_of="2025-06-01", patients=[patient("P1"), patient("P2")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=365),
                                  rx("R2", "P2", "2025-01-01", days_supply=365)],
                   labs=bloods("P1", "2025-01-20", "2025-04-22") + bloods("P2", "2025-01-20", "2025-04-23"),
                   rule=RULE)
    assert result.findings == _both("P2", "2025-01-20", "2025-04-23", 93)


def test_the_clock_starts_at_m_when_there_is_no_test_before_it():
    # no test in [start, M - 1]: the clock starts at M = 01-29; 05-01 is 92 days later, 05-02 93
    result = audit(as_of="2025-06-01", patients=[patient("P1"), patient("P2")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=365),
                                  rx("R2", "P2", "2025-01-01", days_supply=365)],
                   labs=bloods("P1", "2025-05-01") + bloods("P2", "2025-05-02"), rule=RULE)
    assert result.findings == _both("P2", "2025-01-29", "2025-05-02", 93)


def test_the_clock_starts_at_the_latest_test_before_m():
    # tests on 01-02 and on M - 1 = 01-28: the clock starts 01-28; 04-30 is 92 days after it
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=365)],
                   labs=bloods("P1", "2025-01-02", "2025-01-28", "2025-04-30"), rule=RULE)
    assert result.findings == []


def test_an_active_episode_is_not_judged_from_its_last_point_to_as_of_here():
    # 01-20 to as-of 2025-12-01 is long, but that is MONITORING_OVERDUE's finding
    result = audit(as_of="2025-12-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=365)],
                   labs=bloods("P1", "2025-01-20"), rule=RULE)
    assert result.findings == []


def test_an_ended_episode_is_judged_from_its_last_point_to_its_end():
    # 200 days of supply: the episode ends 2025-07-19 and is not active at 2025-12-01.
    # P1: last test 04-18 (92 days before the end); P2: 04-17 (93 days)
    result = audit(as_of="2025-12-01", patients=[patient("P1"), patient("P2")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=200),
                                  rx("R2", "P2", "2025-01-01", days_supply=200)],
                   labs=bloods("P1", "2025-01-20", "2025-04-18", "2025-08-01")
                   + bloods("P2", "2025-01-20", "2025-04-17", "2025-08-01"),
                   rule=RULE)
    assert result.findings == _both("P2", "2025-04-17", "2025-07-19", 93)


def test_cbc_and_lft_are_judged_separately():
    labs = bloods("P1", "2025-01-20") + [cbc("P1", "2025-04-01"), lft("P1", "2025-05-01")]
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=365)], labs=labs, rule=RULE)
    assert result.findings == [_f("P1", "LFT", "2025-01-20", "2025-05-01", 101)]


def test_a_patient_who_died_while_supply_was_running_is_judged_up_to_death():
    # 365 days of supply, death 2025-06-01: E = 06-01, 93 days after the last test (02-28)
    result = audit(as_of="2025-12-01", patients=[patient("P1", death_date="2025-06-01")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=365)],
                   labs=bloods("P1", "2025-01-20", "2025-02-28"), rule=RULE)
    assert result.findings == _both("P1", "2025-02-28", "2025-06-01", 93)


def test_an_episode_that_ended_before_m_is_not_evaluated():
    result = audit(as_of="2025-12-01", patients=[patient("P1"), patient("P2")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=14),
                                  rx("R2", "P2", "2025-01-01", days_supply=365)],
                   labs=bloods("P2", "2025-01-20", "2025-04-01", "2025-07-01", "2025-10-01"), rule=RULE)
    assert result.findings == []
    assert result.summary(RULE)["patients_evaluated"] == 1


def test_each_episode_starts_its_own_clock():
    # episode 1: 2025-01-01 for 200 days (ends 07-19); episode 2 from 2025-10-01 (M = 10-29).
    # The test of 2025-09-01 is outside both episodes; episode 2's clock starts at 10-29.
    result = audit(as_of="2026-03-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=200),
                                  rx("R2", "P1", "2025-10-01", days_supply=365)],
                   labs=bloods("P1", "2025-01-20", "2025-04-01", "2025-06-30", "2025-09-01", "2026-02-01"),
                   rule=RULE)
    assert result.findings == _both("P1", "2025-10-29", "2026-02-01", 95)
