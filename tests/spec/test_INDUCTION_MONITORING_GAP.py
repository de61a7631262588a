"""INDUCTION_MONITORING_GAP (medium): per episode, induction window of the profile (default: weeks k = 1..4,
[start + 7(k-1), start + 7k - 1]) and test, no CBC (resp. LFT) inside it. Only windows with window_end < as-of
and window_start <= episode_end, and none that had not ended before death. key_date = window_start."""

from .harness import audit, bloods, cbc, finding, lab, lft, patient, rx

RULE = "INDUCTION_MONITORING_GAP"
# Episode start 2025-01-01: week 1 = 01-01..01-07, week 2 = 01-08..01-14, week 3 = 01-15..01-21,
# week 4 = 01-22..01-28.
WEEKS = [("2025-01-01", "2025-01-07"), ("2025-01-08", "2025-01-14"), ("2025-01-15", "2025-01-21"),
         ("2025-01-22", "2025-01-28")]


def _f(patient_id, test, window):
    return finding(RULE, patient_id, window[0], test=test, window_start=window[0], window_end=window[1])


def _both(patient_id, window):
    return [_f(patient_id, "CBC", window), _f(patient_id, "LFT", window)]


def _sorted(findings):
    """In the harness's order."""
    return sorted(findings, key=lambda f: tuple(str(v) for v in f.values()))


def test_every_window_covered_at_its_edges_gives_no_finding():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-01")],
                   labs=bloods("P1", "2025-01-01", "2025-01-14", "2025-01-15", "2025-01-28"), rule=RULE)
    assert result.findings == []


def test_a_test_on_the_last_day_of_a_week_does_not_cover_the_next_week():
    # 01-07 is the last day of week 1; 01-15 the first day of week 3: week 2 is empty
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-01")],
                   labs=bloods("P1", "2025-01-07", "2025-01-15", "2025-01-22"), rule=RULE)
    assert result.findings == _both("P1", WEEKS[1])


def test_a_test_on_the_first_day_of_the_next_week_does_not_cover_the_previous_one():
    # 01-08 is the first day of week 2: week 1 is empty
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-01")],
                   labs=bloods("P1", "2025-01-08", "2025-01-15", "2025-01-22"), rule=RULE)
    assert result.findings == _both("P1", WEEKS[0])


def test_cbc_and_lft_are_judged_separately_and_any_analyte_of_the_group_counts():
    days = ["2025-01-02", "2025-01-09", "2025-01-16", "2025-01-23"]
    labs = [cbc("P1", d) for d in days]
    labs += [lab(None, "P1", days[0], "PLATELETS", 250), lab(None, "P1", days[1], "NEUTROPHILS_PCT", 55)]
    labs += [lft("P1", days[0]), lab(None, "P1", days[1], "AST", 30), lab(None, "P1", days[2], "BILIRUBIN", 8)]
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-01")],
                   labs=labs, rule=RULE)
    assert result.findings == [_f("P1", "LFT", WEEKS[3])]


def test_a_window_that_has_not_ended_at_the_as_of_date_is_not_judged():
    # week 3 ends 01-21: not judged at as-of 01-21, judged at as-of 01-22
    on_end = audit(as_of="2025-01-21", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-01")],
                   labs=bloods("P1", "2025-01-01", "2025-01-08"), rule=RULE)
    assert on_end.findings == []
    after = audit(as_of="2025-01-22", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-01")],
                  labs=bloods("P1", "2025-01-01", "2025-01-08"), rule=RULE)
    assert after.findings == _both("P1", WEEKS[2])


def test_windows_starting_after_the_episode_end_are_not_judged():
    # 14 days of supply: episode ends 01-14, week 3 (from 01-15) is not judged; 15 days: it is
    labs = bloods("P1", "2025-01-01", "2025-01-08") + bloods("P2", "2025-01-01", "2025-01-08")
    result = audit(as_of="2025-06-01", patients=[patient("P1"), patient("P2")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=14),
                                  rx("R2", "P2", "2025-01-01", days_supply=15)],
                   labs=labs, rule=RULE)
    assert result.findings == _both("P2", WEEKS[2])


def test_a_patient_who_died_while_supply_was_running():
    # death on 01-21 (week 3's last day): week 3 had not ended before death; week 2 had
    labs = bloods("P1", "2025-01-01") + bloods("P2", "2025-01-01")
    result = audit(as_of="2025-06-01",
                   patients=[patient("P1", death_date="2025-01-21"), patient("P2", death_date="2025-01-22")],
                   prescriptions=[rx("R1", "P1", "2025-01-01"), rx("R2", "P2", "2025-01-01")],
                   labs=labs, rule=RULE)
    assert result.findings == _sorted(_both("P1", WEEKS[1]) + _both("P2", WEEKS[1]) + _both("P2", WEEKS[2]))
    assert result.summary(RULE)["patients_evaluated"] == 2


def test_each_episode_has_its_own_induction_and_a_cancelled_prescription_starts_none():
    # episode 2 starts 2025-05-01 (61+ days after 01-28); the cancelled 03-01 row gives no exposure
    labs = bloods("P1", "2025-01-01", "2025-01-08", "2025-01-15", "2025-01-22")
    labs += bloods("P1", "2025-05-01", "2025-05-08", "2025-05-15")
    result = audit(as_of="2025-12-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01"), rx("R2", "P1", "2025-03-01", status="cancelled"),
                                  rx("R3", "P1", "2025-05-01")],
                   labs=labs, rule=RULE)
    assert result.findings == _both("P1", ("2025-05-22", "2025-05-28"))


def test_uk_smpc_profile_is_weekly_for_eight_weeks():
    weekly = ["2025-01-01", "2025-01-08", "2025-01-15", "2025-01-22", "2025-01-29", "2025-02-05", "2025-02-12"]
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-01",
                                                                                    days_supply=90)],
                   labs=bloods("P1", *weekly), profile="uk-smpc", rule=RULE)
    assert result.findings == _both("P1", ("2025-02-19", "2025-02-25"))
    default = audit(as_of="2025-06-01", patients=[patient("P1")],
                    prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=90)],
                    labs=bloods("P1", *weekly), rule=RULE)
    assert default.findings == []


def test_bsr_2017_profile_windows():
    # 3 x 14 days, then 3 x 31 days from 2025-01-01:
    # 01-01..01-14, 01-15..01-28, 01-29..02-11, 02-12..03-14, 03-15..04-14, 04-15..05-15
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=180)],
                   labs=bloods("P1", "2025-01-14", "2025-01-28", "2025-01-29", "2025-03-14", "2025-03-15"),
                   profile="bsr-2017", rule=RULE)
    # bsr-2017 monitors renal function too (RULES.md v2, `monitored_tests`)
    assert result.findings == _sorted(_both("P1", ("2025-04-15", "2025-05-15"))
                                      + [_f("P1", "RENAL", ("2025-04-15", "2025-05-15"))])
    # the last window ends 05-15: not judged at as-of 05-15
    early = audit(as_of="2025-05-15", patients=[patient("P1")],
                  prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=180)],
                  labs=bloods("P1", "2025-01-14", "2025-01-28", "2025-01-29", "2025-03-14", "2025-03-15"),
                  profile="bsr-2017", rule=RULE)
    assert early.findings == []
