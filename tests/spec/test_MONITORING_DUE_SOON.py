"""MONITORING_DUE_SOON (info): an active episode with as_of >= M and 78 < as_of - last point <= 92.
key_date = last point, window = [last point, as-of], value = days since it, threshold = 92. Per test."""

from .harness import audit, bloods, cbc, finding, lft, patient, rx

RULE = "MONITORING_DUE_SOON"
AS_OF = "2025-06-01"  # 78 days after 03-15, 79 after 03-14, 92 after 03-01, 93 after 02-28


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


def test_boundaries_78_79_92_93_days():
    last = {"P78": "2025-03-15", "P79": "2025-03-14", "P92": "2025-03-01", "P93": "2025-02-28"}
    labs = [row for p, day in last.items() for row in bloods(p, "2025-01-20", day)]
    result = audit(as_of=AS_OF, patients=[patient(p) for p in last], prescriptions=_on_treatment(*last),
                   labs=labs, rule=RULE)
    assert result.findings == _both("P79", "2025-03-14", 79) + _both("P92", "2025-03-01", 92)


def test_per_test():
    labs = bloods("P1", "2025-01-20") + [cbc("P1", "2025-03-10"), lft("P1", "2025-05-01")]
    result = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=_on_treatment("P1"), labs=labs, rule=RULE)
    assert result.findings == [_f("P1", "CBC", "2025-03-10", 83)]


def test_clock_start_at_m_counts_as_the_last_point():
    # no test at all: last point M = 2025-01-29; as-of 2025-04-25 is 86 days later
    result = audit(as_of="2025-04-25", patients=[patient("P1")], prescriptions=_on_treatment("P1"), rule=RULE)
    assert result.findings == _both("P1", "2025-01-29", 86, as_of="2025-04-25")


def test_not_for_an_ended_episode_nor_after_death():
    result = audit(as_of=AS_OF, patients=[patient("P1"), patient("P2", death_date="2025-05-01")],
                   prescriptions=_on_treatment("P1", days_supply=28) + _on_treatment("P2"),
                   labs=bloods("P1", "2025-03-10") + bloods("P2", "2025-03-10"), rule=RULE)
    assert result.findings == []
    assert result.summary(RULE)["patients_evaluated"] == 0


def test_bsr_2017_window_is_70_to_84_days():
    # as-of 2025-09-01: 70 days after 06-23, 71 after 06-22, 84 after 06-09
    last = {"P70": "2025-06-23", "P71": "2025-06-22", "P84": "2025-06-09"}
    labs = [row for p, day in last.items() for row in bloods(p, day)]
    result = audit(as_of="2025-09-01", patients=[patient(p) for p in last], prescriptions=_on_treatment(*last),
                   labs=labs, profile="bsr-2017", rule=RULE)
    assert result.findings == (_bsr("P71", "2025-06-22", 71, as_of="2025-09-01", limit=84.0)
                               + _bsr("P84", "2025-06-09", 84, as_of="2025-09-01", limit=84.0))
