"""LIVER_TOXICITY_ON_TREATMENT (high): ALT or AST above 100 U/L in [episode_start, episode_end];
key_date = collected date, test = analyte. U/L = IU/L; ukat/L x 60; uninterpretable units never compared."""

import pytest

from .harness import audit, finding, lab, patient, rx

RULE = "LIVER_TOXICITY_ON_TREATMENT"
RX = [rx("R1", "P1", "2025-01-10")]  # episode [2025-01-10, 2025-02-06]


def run(*labs):
    return audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=RX, labs=list(labs), rule=RULE)


def test_alt_100_does_not_fire_and_101_does():
    result = run(lab(None, "P1", "2025-01-20", "ALT", "100"), lab(None, "P1", "2025-01-27", "ALT", "101"))
    assert result.findings == [finding(RULE, "P1", "2025-01-27", test="ALT", value=101.0, threshold=100)]
    assert "101" in result.table("findings")[0]["detail"]


def test_ast_100_does_not_fire_and_101_does():
    result = run(lab(None, "P1", "2025-01-20", "AST", "100"), lab(None, "P1", "2025-01-27", "AST", "101"))
    assert result.findings == [finding(RULE, "P1", "2025-01-27", test="AST", value=101.0, threshold=100)]


def test_iu_per_litre_is_u_per_litre_and_ukat_is_converted():
    result = run(lab(None, "P1", "2025-01-20", "ALT", "150", unit="IU/L"),
                 lab(None, "P1", "2025-01-21", "ALT", "2", unit="ukat/L"),    # 120 U/L
                 lab(None, "P1", "2025-01-22", "AST", "1.5", unit="µkat/L"))  # 90 U/L
    assert result.findings == [
        finding(RULE, "P1", "2025-01-20", test="ALT", value=150.0, threshold=100),
        finding(RULE, "P1", "2025-01-21", test="ALT", value=pytest.approx(120.0), threshold=100),
    ]


def test_an_uninterpretable_unit_is_not_compared():
    result = run(lab(None, "P1", "2025-01-20", "ALT", "500", unit="mg/dL"))
    assert result.findings == []
    notes = {r["note"]: r["rows"] for r in result.table("data_quality_notes")}
    assert notes["result with an uninterpretable unit (not compared)"] == 1
    assert result.summary(RULE)["patients_evaluated"] == 0


def test_other_liver_tests_and_results_outside_the_episode_do_not_fire():
    result = run(lab(None, "P1", "2025-01-20", "ALP", "300"), lab(None, "P1", "2025-01-09", "ALT", "300"),
                 lab(None, "P1", "2025-02-07", "AST", "300"))
    assert result.findings == []


def test_a_censored_result_above_the_limit_fires_and_one_that_may_be_below_does_not():
    result = run(lab(None, "P1", "2025-01-20", "ALT", ">100"),
                 lab(None, "P1", "2025-01-21", "ALT", ">90"),
                 lab(None, "P1", "2025-01-22", "AST", "<150"))
    assert result.findings == [finding(RULE, "P1", "2025-01-20", test="ALT", value=100.0, threshold=100)]
    assert result.table("findings")[0]["detail"].startswith("ALT >100 U/L on 2025-01-20 is above 100 U/L")
