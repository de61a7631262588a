"""Each shipped profile gives the schedule RULES.md ("Profiles") describes: its induction windows (days from
the episode start, both ends included, and as dates for one episode) and the maintenance start M."""

from datetime import date, timedelta

import pytest

from pipelines.lib.profiles import InductionWindow, load_profile
from tests.spec.harness import audit, patient, rx

EPISODE_START = date(2025, 1, 1)


def windows(*spans):
    return [InductionWindow(i, a, b) for i, (a, b) in enumerate(spans, start=1)]


def as_dates(profile_windows):
    return [((EPISODE_START + timedelta(w.start_offset)).isoformat(),
             (EPISODE_START + timedelta(w.end_offset)).isoformat()) for w in profile_windows]


def test_default_weekly_for_4_weeks_then_every_92_days():
    profile = load_profile("default")
    assert profile.induction_windows == windows((0, 6), (7, 13), (14, 20), (21, 27))
    assert as_dates(profile.induction_windows) == [
        ("2025-01-01", "2025-01-07"), ("2025-01-08", "2025-01-14"),
        ("2025-01-15", "2025-01-21"), ("2025-01-22", "2025-01-28")]
    assert profile.maintenance_start_days == 28  # M = 2025-01-29
    assert profile.params["maintenance_max_gap_days"] == 92
    assert profile.params["due_soon_after_days"] == 78


def test_uk_smpc_weekly_for_8_weeks_then_every_92_days():
    profile = load_profile("uk-smpc")
    assert profile.induction_windows == windows(*[(7 * k, 7 * k + 6) for k in range(8)])
    assert as_dates(profile.induction_windows)[-1] == ("2025-02-19", "2025-02-25")
    assert profile.maintenance_start_days == 56  # M = 2025-02-26
    assert profile.params["maintenance_max_gap_days"] == 92


def test_bsr_2017_fortnightly_for_6_weeks_then_every_31_days_for_3_months_then_every_84_days():
    profile = load_profile("bsr-2017")
    assert profile.induction_windows == windows((0, 13), (14, 27), (28, 41), (42, 72), (73, 103), (104, 134))
    assert as_dates(profile.induction_windows) == [
        ("2025-01-01", "2025-01-14"), ("2025-01-15", "2025-01-28"), ("2025-01-29", "2025-02-11"),
        ("2025-02-12", "2025-03-14"), ("2025-03-15", "2025-04-14"), ("2025-04-15", "2025-05-15")]
    assert profile.maintenance_start_days == 135  # M = 2025-05-16
    assert profile.params["maintenance_max_gap_days"] == 84
    # every other parameter is the default's
    default = load_profile("default").params
    assert {k: v for k, v in profile.params.items() if default.get(k) != v} == {
        "maintenance_max_gap_days": 84, "due_soon_after_days": 70}


@pytest.mark.parametrize("name,m", [("default", "2025-01-29"), ("uk-smpc", "2025-02-26"),
                                    ("bsr-2017", "2025-05-16")])
def test_the_run_uses_the_profile_schedule_for_an_episode(name, m):
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", EPISODE_START.isoformat(), days_supply=180)],
                   profile=name, rule=set())
    profile = load_profile(name)
    assert [(r["window_no"], r["start_offset"], r["end_offset"]) for r in result.table("schedule_windows")] == [
        (w.window_no, w.start_offset, w.end_offset) for w in profile.induction_windows]
    [episode] = result.table("episodes")
    assert episode["maintenance_start"].isoformat() == m
