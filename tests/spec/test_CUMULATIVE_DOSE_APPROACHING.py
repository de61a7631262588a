"""CUMULATIVE_DOSE_APPROACHING (low): the running sum has reached 480,000 mg but not exceeded 600,000.
key_date = the date it reached 480 g (start of the prescription that brought it there); value = total g at
as-of; threshold = 600 g; for an active episode the detail gives the date 600 g will be reached at the
latest prescription's daily dose (from the day after the supply already counted runs out, or as-of)."""

from .harness import audit, finding, patient, rx

RULE = "CUMULATIVE_DOSE_APPROACHING"


def _big(prescription_id, patient_id, start, mg, daily=200):
    return rx(prescription_id, patient_id, start, strength=None, daily_dose=daily, days_supply=mg // daily)


def _f(patient_id, key_date, grams):
    return finding(RULE, patient_id, key_date, value=grams, threshold=600.0)


def test_boundaries_at_480_and_600_grams():
    result = audit(as_of="2025-06-01",
                   patients=[patient("P479"), patient("P480"), patient("P600"), patient("P601")],
                   prescriptions=[_big("R1", "P479", "2015-01-01", 479_000), rx("R2", "P479", "2024-01-01", quantity=19),
                                  _big("R3", "P480", "2015-01-01", 479_000), rx("R4", "P480", "2024-01-01", quantity=20),
                                  _big("R5", "P600", "2015-01-01", 600_000),
                                  _big("R6", "P601", "2015-01-01", 600_000), rx("R7", "P601", "2024-01-01", quantity=1)],
                   rule=RULE)
    # P479: 479,950 mg; P480: exactly 480,000 on 2024-01-01; P600: exactly 600,000; P601: over the limit
    assert result.findings == [_f("P480", "2024-01-01", 480.0), _f("P600", "2015-01-01", 600.0)]


def test_key_date_is_when_480_grams_was_reached_not_as_of():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[_big("R1", "P1", "2015-01-01", 400_000), _big("R2", "P1", "2021-01-01", 100_000),
                                  rx("R3", "P1", "2024-01-01")],
                   rule=RULE)
    assert result.findings == [_f("P1", "2021-01-01", 502.8)]


def _detail(result):
    return result.con.execute("select detail from findings").fetchone()[0]


def test_active_episode_detail_projects_the_date_600_grams_will_be_reached():
    # 480,000 mg from 2018-01-01 over 2,400 days: supply runs to 2024-07-27; 120,000 mg more at 200 mg/day
    # is 600 days from 2024-07-28: 2026-03-19
    result = audit(as_of="2024-06-01", patients=[patient("P1")],
                   prescriptions=[_big("R1", "P1", "2018-01-01", 480_000)], rule=RULE)
    assert result.findings == [_f("P1", "2018-01-01", 480.0)]
    assert "200 mg/day the limit will be reached on 2026-03-19" in _detail(result)


def test_projection_starts_at_as_of_when_the_supply_has_run_out_and_uses_the_latest_daily_dose():
    # supply ran out 2024-07-27; still active at 2024-09-01; latest daily dose 150 mg (R2):
    # 600,000 - 482,100 = 117,900 mg, 786 days from 2024-09-01: 2026-10-26
    result = audit(as_of="2024-09-01", patients=[patient("P1")],
                   prescriptions=[_big("R1", "P1", "2018-01-01", 480_000),
                                  rx("R2", "P1", "2024-07-01", strength=None, daily_dose=150, days_supply=14)],
                   rule=RULE)
    assert result.findings == [_f("P1", "2018-01-01", 482.1)]
    assert "150 mg/day the limit will be reached on 2026-10-26" in _detail(result)


def test_no_projection_for_an_ended_episode():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[_big("R1", "P1", "2018-01-01", 480_000)], rule=RULE)
    assert result.findings == [_f("P1", "2018-01-01", 480.0)]
    assert "will be reached" not in _detail(result)


def test_a_patient_who_died_while_supply_was_running_gets_no_projection():
    result = audit(as_of="2024-06-01", patients=[patient("P1", death_date="2024-05-01")],
                   prescriptions=[_big("R1", "P1", "2018-01-01", 480_000)], rule=RULE)
    assert result.findings == [_f("P1", "2018-01-01", 480.0)]
    assert "will be reached" not in _detail(result)


def test_unknown_totals_add_zero_and_cancelled_prescriptions_add_nothing():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[_big("R1", "P1", "2018-01-01", 478_000),
                                  rx("R2", "P1", "2024-01-01", strength=None),
                                  rx("R3", "P1", "2024-02-01", status="cancelled"),
                                  rx("R4", "P1", "2024-03-01", strength=1, strength_unit="g", quantity=2)],
                   rule=RULE)
    # 478,000 + 0 (unknown) + 0 (cancelled) + 2 x 1 g = 480,000 mg on 2024-03-01
    assert result.findings == [_f("P1", "2024-03-01", 480.0)]


def test_the_projection_uses_the_latest_regimen_and_no_date_when_its_dose_is_unknown():
    # RULES.md v2 (a defect of v1: an earlier prescription's dose projected the date, 8 months late)
    base = [_big("R1", "P1", "2016-01-01", 500_000)]
    unknown = audit(as_of="2025-06-01", patients=[patient("P1")],
                    prescriptions=base + [rx("R2", "P1", "2025-05-20", strength=None, quantity=None,
                                             days_supply=60)], rule=RULE)
    assert "the current daily dose is unknown" in _detail(unknown)
    # a same-day 100 mg + 25 mg regimen projects at 125 mg/day: 100,000 mg left from 2025-06-01 (as-of,
    # the 28 days already counted run to 06-16, so from 06-17): 800 days
    split = audit(as_of="2025-06-01", patients=[patient("P1")],
                  prescriptions=base + [rx("R2", "P1", "2025-05-20"),
                                        rx("R3", "P1", "2025-05-20", strength=25, quantity=28)], rule=RULE)
    assert "at the current 125 mg/day" in _detail(split)
