"""NO_PRIOR_DMT (info, requires events): initiation with no preferred DMT prescription starting before it and
no dmt_contraindication event before it; key_date = initiation."""

import pytest

from .harness import audit, dmt, event, finding, patient, rx

RULE = "NO_PRIOR_DMT"


def run(prescriptions=(), events=()):
    return audit(as_of="2025-06-01", patients=[patient("P1")],
                 prescriptions=[rx("R1", "P1", "2025-01-10"), *prescriptions], events=list(events), rule=RULE)


def test_fires_without_a_prior_dmt():
    result = run()
    assert result.findings == [finding(RULE, "P1", "2025-01-10")]
    assert result.summary(RULE)["patients_evaluated"] == 1


def test_a_dmt_the_day_before_initiation_is_prior():
    assert run(prescriptions=[dmt("D1", "P1", "2025-01-09")]).findings == []


@pytest.mark.parametrize("day", ["2025-01-10", "2025-01-11"])
def test_a_dmt_on_or_after_the_day_of_initiation_is_not_prior(day):
    assert run(prescriptions=[dmt("D1", "P1", day)]).findings == [finding(RULE, "P1", "2025-01-10")]


def test_dmt_found_by_name_or_code():
    assert run(prescriptions=[dmt("D1", "P1", "2024-01-01", drug_name="Copaxone 20mg/ml")]).findings == []
    coded = dict(dmt("D1", "P1", "2024-01-01", drug_name="Product X"), drug_code="L04AE01")  # fingolimod
    assert run(prescriptions=[coded]).findings == []


def test_a_contraindication_before_initiation_counts_but_not_on_the_day():
    assert run(events=[event("E1", "P1", "2025-01-09", "dmt_contraindication")]).findings == []
    assert run(events=[event("E1", "P1", "2025-01-10", "dmt_contraindication")]).findings == [
        finding(RULE, "P1", "2025-01-10")]


def test_only_the_first_episode_counts():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2023-01-10"), dmt("D1", "P1", "2024-01-01"),
                                  rx("R2", "P1", "2025-01-10")], events=[], rule=RULE)
    assert result.findings == [finding(RULE, "P1", "2023-01-10")]


def test_without_the_events_file_the_rule_is_not_evaluated():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   rule=RULE)
    assert result.findings == []
    [row] = [r for r in result.catalogue if r["rule_id"] == RULE]
    assert row["evaluated"] is False
    assert result.summary(RULE)["patients_evaluated"] is None and result.summary(RULE)["rate"] is None
