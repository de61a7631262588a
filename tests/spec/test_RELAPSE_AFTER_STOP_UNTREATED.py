"""RELAPSE_AFTER_STOP_UNTREATED (medium, requires events): a relapse r in [episode_end + 1, as_of - 90] (and
before the next episode), with no azathioprine or DMT prescription starting in [r, r + 90]
(`relapse_restart_days`). key_date = r; window = [r, r + 90]; value = days from the episode's end to r."""

from .harness import audit, dmt, event, finding, patient, rx

RULE = "RELAPSE_AFTER_STOP_UNTREATED"
# one prescription of 28 days from 2024-01-01: the episode ends 2024-01-28


def run(events, prescriptions=(), as_of="2025-06-01"):
    return audit(as_of=as_of, patients=[patient("P1")],
                 prescriptions=[rx("R1", "P1", "2024-01-01"), *prescriptions], events=events, rule=RULE)


def _f(r, window_end, days):
    return finding(RULE, "P1", r, window_start=r, window_end=window_end, value=days, threshold=90)


def test_an_untreated_relapse_after_stopping_fires():
    result = run([event("E1", "P1", "2024-06-01", "relapse")])
    assert result.findings == [_f("2024-06-01", "2024-08-30", 125)]


def test_a_restart_on_r_plus_90_treats_it_r_plus_91_does_not():
    assert run([event("E1", "P1", "2024-06-01", "relapse")], [rx("R2", "P1", "2024-08-30")]).findings == []
    late = run([event("E1", "P1", "2024-06-01", "relapse")], [rx("R2", "P1", "2024-08-31")])
    assert late.findings == [_f("2024-06-01", "2024-08-30", 125)]  # before the next episode: still judged
    late = run([event("E1", "P1", "2024-06-01", "relapse")], [dmt("D2", "P1", "2024-08-31")])
    assert late.findings == [_f("2024-06-01", "2024-08-30", 125)]
    assert run([event("E1", "P1", "2024-06-01", "relapse")], [dmt("D2", "P1", "2024-06-01")]).findings == []


def test_judged_only_once_90_days_have_passed():
    assert run([event("E1", "P1", "2025-03-04", "relapse")], as_of="2025-06-01").findings == []  # as-of - 89
    assert [f["key_date"] for f in run([event("E1", "P1", "2025-03-03", "relapse")]).findings] == ["2025-03-03"]


def test_a_relapse_during_treatment_or_on_its_last_day_does_not_count():
    assert run([event("E1", "P1", "2024-01-28", "relapse")]).findings == []
    assert [f["key_date"] for f in run([event("E1", "P1", "2024-01-29", "relapse")]).findings] == ["2024-01-29"]


def test_not_evaluated_without_the_events_file():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2024-01-01")],
                   rule=RULE)
    row = next(r for r in result.catalogue if r["rule_id"] == RULE)
    assert row["evaluated"] is False and "events" in row["not_evaluated_reason"]
