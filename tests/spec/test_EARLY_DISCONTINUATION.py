"""EARLY_DISCONTINUATION (info, requires events): an episode that is not active lasted under 548 days
(episode_end - episode_start + 1 < 548) with no cytopenia, liver toxicity or serious infection inside it;
key_date = episode start; value = days treated, threshold = 548."""

import pytest

from .harness import audit, event, finding, lab, patient, rx

RULE = "EARLY_DISCONTINUATION"
START = "2023-01-01"


def run(days, labs=(), events=(), as_of="2025-06-01", death_date=None):
    return audit(as_of=as_of, patients=[patient("P1", death_date=death_date)],
                 prescriptions=[rx("R1", "P1", START, days_supply=days)], labs=list(labs), events=list(events),
                 rule=RULE)


def test_an_episode_of_547_days_fires():
    result = run(547)  # 2023-01-01 .. 2024-06-30 (2024 is a leap year)
    assert result.findings == [finding(RULE, "P1", START, window_start=START, window_end="2024-06-30",
                                       value=547, threshold=548)]
    assert "547 days" in result.table("findings")[0]["detail"]


def test_an_episode_of_548_days_does_not_fire():
    assert run(548).findings == []


def test_an_active_episode_does_not_fire():
    result = run(100, as_of="2023-06-01")
    assert result.findings == []
    assert result.summary(RULE)["patients_evaluated"] == 0


def test_cytopenia_inside_the_episode_explains_the_stop():
    assert run(100, labs=[lab(None, "P1", "2023-03-01", "WBC", "3.4")]).findings == []


def test_a_count_at_the_limit_or_a_percentage_does_not():
    result = run(100, labs=[lab(None, "P1", "2023-03-01", "WBC", "3.5"),
                            lab(None, "P1", "2023-03-02", "LYMPHOCYTES_PCT", "0.3")])
    assert [f["key_date"] for f in result.findings] == [START]


def test_liver_toxicity_inside_the_episode_explains_the_stop():
    assert run(100, labs=[lab(None, "P1", "2023-03-01", "ALT", "101")]).findings == []
    assert [f["key_date"] for f in run(100, labs=[lab(None, "P1", "2023-03-01", "ALT", "100")]).findings] == [START]


def test_a_serious_infection_inside_the_episode_explains_the_stop():
    assert run(100, events=[event("E1", "P1", "2023-03-01", "sepsis")]).findings == []
    assert run(100, events=[event("E1", "P1", "2023-03-01", "serious_infection")]).findings == []


def test_toxicity_outside_the_episode_does_not_explain_it():
    # RULES.md v2: a reason counts up to episode_end + 30 (2023-05-10); 2023-05-11 is outside
    result = run(100, labs=[lab(None, "P1", "2023-05-11", "WBC", "2.0")],  # episode ends 2023-04-10
                 events=[event("E1", "P1", "2022-12-31", "sepsis")])
    assert [f["key_date"] for f in result.findings] == [START]


def test_an_episode_ended_by_death_is_not_an_early_discontinuation():
    assert run(100, death_date="2023-04-10").findings == []


def test_without_the_events_file_the_rule_is_not_evaluated():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", START, days_supply=100)], rule=RULE)
    assert result.findings == []
    [row] = [r for r in result.catalogue if r["rule_id"] == RULE]
    assert row["evaluated"] is False and row["findings"] is None
    summary = result.summary(RULE)
    assert summary["patients_evaluated"] is None and summary["findings"] is None


# --- RULES.md version 2 ------------------------------------------------------------------------------------

def test_a_reason_up_to_30_days_after_the_end_counts_31_does_not():
    # the episode ends 2023-04-10: +30 is 2023-05-10
    assert run(100, labs=[lab(None, "P1", "2023-05-10", "WBC", "2.0")]).findings == []
    assert [f["key_date"] for f in run(100, labs=[lab(None, "P1", "2023-05-11", "WBC", "2.0")]).findings] == [START]
    assert run(100, events=[event("E1", "P1", "2023-05-10", "sepsis")]).findings == []


def test_censored_results_count_as_the_toxicity_rules_count_them():
    # "<0.5" lymphocytes is a cytopenia (a reason to stop); ">3.0" WBC says nothing about a low count
    assert run(100, labs=[lab(None, "P1", "2023-03-01", "LYMPHOCYTES", "<0.5")]).findings == []
    assert [f["key_date"] for f in run(100, labs=[lab(None, "P1", "2023-03-01", "WBC", ">3.0")]).findings] == [START]
    assert run(100, labs=[lab(None, "P1", "2023-03-01", "ALT", ">100")]).findings == []


@pytest.mark.parametrize("event_type", ["adverse_reaction", "malignancy", "serious_infection", "sepsis"])
def test_an_adverse_reaction_malignancy_or_infection_is_a_reason(event_type):
    assert run(100, events=[event("E1", "P1", "2023-02-01", event_type)]).findings == []


def test_not_after_death():
    # the episode ends 2023-04-10; death on 2023-06-09 = end + 60 (episode_gap_days): ended by death
    assert run(100, death_date="2023-06-09").findings == []
    assert [f["key_date"] for f in run(100, death_date="2023-06-10").findings] == [START]
