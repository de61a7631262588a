"""POST_STOP_FOLLOWUP_GAP (medium, requires events): after the last episode, when it is not active, the points
are episode_end and each clinic_visit after it up to as-of (or death); two consecutive points p < q (and, last,
p to as-of) more than L apart, L = 92 if p < episode_end + 365 else 183; key_date = p, window = p to q."""

from datetime import date, timedelta

from .harness import audit, event, finding, patient, rx

RULE = "POST_STOP_FOLLOWUP_GAP"
END = date(2024, 1, 28)  # one 28-day prescription from 2024-01-01: episode_end


def day(offset):
    return (END + timedelta(days=offset)).isoformat()


def visits(*offsets):
    return [event(f"V{i}", "P1", day(o), "clinic_visit") for i, o in enumerate(offsets)]


def run(events, as_of_offset, death_offset=None):
    death = day(death_offset) if death_offset is not None else None
    return audit(as_of=day(as_of_offset), patients=[patient("P1", death_date=death)],
                 prescriptions=[rx("R1", "P1", "2024-01-01")], events=events, rule=RULE)


def test_92_days_in_the_first_year_is_not_a_gap():
    assert run(visits(92), as_of_offset=100).findings == []


def test_93_days_in_the_first_year_is_a_gap():
    result = run(visits(93), as_of_offset=100)
    assert result.findings == [finding(RULE, "P1", day(0), window_start=day(0), window_end=day(93),
                                       value=93, threshold=92)]
    detail = result.table("findings")[0]["detail"]
    assert "93 days" in detail and "92" in detail and day(0) in detail


def test_183_days_after_the_first_year_is_not_a_gap():
    result = run(visits(90, 180, 270, 360, 365, 365 + 183), as_of_offset=365 + 190)
    assert result.findings == []


def test_184_days_after_the_first_year_is_a_gap():
    result = run(visits(90, 180, 270, 360, 365, 365 + 184), as_of_offset=365 + 190)
    assert result.findings == [finding(RULE, "P1", day(365), window_start=day(365), window_end=day(549),
                                       value=184, threshold=183)]


def test_a_point_on_day_364_still_has_the_first_year_limit():
    result = run(visits(90, 180, 272, 364, 364 + 93), as_of_offset=364 + 100)
    assert result.findings == [finding(RULE, "P1", day(364), window_start=day(364), window_end=day(457),
                                       value=93, threshold=92)]


def test_the_last_point_is_held_against_the_as_of_date():
    assert run(visits(), as_of_offset=92).findings == []
    assert run(visits(), as_of_offset=93).findings == [
        finding(RULE, "P1", day(0), window_start=day(0), window_end=day(93), value=93, threshold=92)]


def test_after_death_nothing_is_expected():
    result = run(visits(80), as_of_offset=400, death_offset=150)
    assert result.findings == []
    result = run(visits(80), as_of_offset=400, death_offset=173)
    assert result.findings == [finding(RULE, "P1", day(80), window_start=day(80), window_end=day(173),
                                       value=93, threshold=92)]


def test_other_events_and_visits_before_the_end_are_not_follow_up():
    events = visits(-10) + [event("R", "P1", day(50), "relapse")]
    result = run(events, as_of_offset=100)
    assert result.findings == [finding(RULE, "P1", day(0), window_start=day(0), window_end=day(100),
                                       value=100, threshold=92)]


def test_an_active_last_episode_is_not_evaluated_for_follow_up():
    result = run(visits(), as_of_offset=60)  # as_of = episode_end + 60: still active
    assert result.findings == []
    assert result.summary(RULE)["patients_evaluated"] == 0


def test_only_the_last_episode_counts():
    result = audit(as_of=day(100), patients=[patient("P1")],
                   prescriptions=[rx("R0", "P1", "2022-01-01"), rx("R1", "P1", "2024-01-01")],
                   events=visits(90), rule=RULE)
    assert result.findings == []


def test_without_the_events_file_the_rule_is_not_evaluated():
    result = audit(as_of=day(400), patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2024-01-01")],
                   rule=RULE)
    assert result.findings == []
    [row] = [r for r in result.catalogue if r["rule_id"] == RULE]
    assert row["evaluated"] is False
    assert result.summary(RULE)["patients_flagged"] is None and result.summary(RULE)["findings"] is None
