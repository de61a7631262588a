"""MONITORING_OVERDUE (high): an active episode with as_of >= M where as_of - last point > 92 (last point: the
latest of the clock start and the tests in [M, as-of]). key_date = last point, window = [last point, as-of],
value = days since it, threshold = 92. Per test (CBC, LFT)."""

from .harness import audit, bloods, cbc, finding, lft, patient, rx

RULE = "MONITORING_OVERDUE"
AS_OF = "2025-06-01"  # 92 days after 2025-03-01, 93 after 2025-02-28


def _f(patient_id, test, last, days, as_of=AS_OF, limit=92.0):
    return finding(RULE, patient_id, last, test=test, window_start=last, window_end=as_of, value=float(days),
                   threshold=limit)


def _both(patient_id, last, days, **kw):
    return [_f(patient_id, "CBC", last, days, **kw), _f(patient_id, "LFT", last, days, **kw)]


def _bsr(patient_id, last, days, **kw):
    """bsr-2017 monitors renal function too (RULES.md v2, `monitored_tests`)."""
    return sorted(_both(patient_id, last, days, **kw) + [_f(patient_id, "RENAL", last, days, **kw)],
                  key=lambda f: tuple(str(v) for v in f.values()))


def _on_treatment(*patient_ids, days_supply=365):
    return [rx(f"R{p}", p, "2025-01-01", days_supply=days_supply) for p in patient_ids]


def test_92_days_since_the_last_test_is_not_overdue_and_93_is():
    result = audit(as_of=AS_OF, patients=[patient("P1"), patient("P2")], prescriptions=_on_treatment("P1", "P2"),
                   labs=bloods("P1", "2025-01-20", "2025-03-01") + bloods("P2", "2025-01-20", "2025-02-28"),
                   rule=RULE)
    assert result.findings == _both("P2", "2025-02-28", 93)


def test_per_test():
    labs = bloods("P1", "2025-01-20") + [cbc("P1", "2025-05-01"), lft("P1", "2025-02-01")]
    result = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=_on_treatment("P1"), labs=labs, rule=RULE)
    assert result.findings == [_f("P1", "LFT", "2025-02-01", 120)]


def test_the_clock_start_is_a_point_before_m_and_m_itself_without_tests():
    # P1: only a test before M (01-05), as-of 2025-04-08 is 93 days later.
    # P2: no test at all: the last point is M = 01-29, 69 days before: not overdue.
    result = audit(as_of="2025-04-08", patients=[patient("P1"), patient("P2")],
                   prescriptions=_on_treatment("P1", "P2"), labs=bloods("P1", "2025-01-05"), rule=RULE)
    assert result.findings == _both("P1", "2025-01-05", 93, as_of="2025-04-08")


def test_no_test_since_m():
    # no test at all: last point M = 2025-01-29, 123 days before as-of
    result = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=_on_treatment("P1"), rule=RULE)
    assert result.findings == _both("P1", "2025-01-29", 123)


def test_before_m_the_episode_is_not_evaluated():
    # episode from 2025-05-10: M = 2025-06-07 is after as-of
    result = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-05-10")], rule=RULE)
    assert result.findings == []
    assert result.summary(RULE)["patients_evaluated"] == 0


def test_active_in_the_grace_period_after_supply_ran_out_but_not_once_ended():
    # P1: 120 days of supply (ends 2025-05-01): still active at 06-01 (within 60 days).
    # P2: 28 days of supply (ends 01-28): not active at 06-01.
    result = audit(as_of=AS_OF, patients=[patient("P1"), patient("P2")],
                   prescriptions=_on_treatment("P1", days_supply=120) + _on_treatment("P2", days_supply=28),
                   labs=bloods("P1", "2025-01-20") + bloods("P2", "2025-01-20"), rule=RULE)
    assert result.findings == _both("P1", "2025-01-20", 132)
    assert result.summary(RULE)["patients_evaluated"] == 1


def test_a_patient_who_died_while_supply_was_running_is_never_overdue():
    result = audit(as_of=AS_OF, patients=[patient("P1", death_date="2025-05-01")],
                   prescriptions=_on_treatment("P1"), labs=bloods("P1", "2025-01-20"), rule=RULE)
    assert result.findings == []
    assert result.summary(RULE)["patients_evaluated"] == 0


def test_bsr_2017_limit_is_84_days():
    # bsr-2017: M = 2025-01-01 + 135 = 2025-05-16; at 2025-09-01, 84 days after 06-09 and 85 after 06-08
    result = audit(as_of="2025-09-01", patients=[patient("P1"), patient("P2")], prescriptions=_on_treatment("P1", "P2"),
                   labs=bloods("P1", "2025-06-09") + bloods("P2", "2025-06-08"), profile="bsr-2017", rule=RULE)
    assert result.findings == _bsr("P2", "2025-06-08", 85, as_of="2025-09-01", limit=84.0)
