"""CYTOPENIA_ON_TREATMENT (high): a result in [episode_start, episode_end] below WBC 3.5, NEUTROPHILS 1.6,
LYMPHOCYTES 0.5, PLATELETS 140 (x10^9/L); key_date = collected date, test = analyte, value = result,
threshold = limit. Counts in 10^9/L however written, cells/uL divided by 1000, percentages never compared,
uninterpretable units never compared (and counted in data quality)."""

import pytest

from .harness import audit, finding, lab, patient, rx

RULE = "CYTOPENIA_ON_TREATMENT"
# one 28-day prescription: the episode is [2025-01-10, 2025-02-06]
RX = [rx("R1", "P1", "2025-01-10")]


def run(*labs, as_of="2025-06-01"):
    return audit(as_of=as_of, patients=[patient("P1")], prescriptions=RX, labs=list(labs), rule=RULE)


def test_wbc_at_the_limit_does_not_fire():
    result = run(lab(None, "P1", "2025-01-20", "WBC", "3.5"))
    assert result.findings == []
    assert result.summary(RULE)["patients_evaluated"] == 1


def test_wbc_just_below_the_limit_fires():
    result = run(lab(None, "P1", "2025-01-20", "WBC", "3.4"))
    assert result.findings == [finding(RULE, "P1", "2025-01-20", test="WBC", value=3.4, threshold=3.5)]
    detail = result.table("findings")[0]["detail"]
    assert "3.4" in detail and "3.5" in detail and "2025-01-20" in detail


@pytest.mark.parametrize("analyte,low,ok,limit", [
    ("NEUTROPHILS", "1.5", "1.6", 1.6), ("LYMPHOCYTES", "0.4", "0.5", 0.5), ("PLATELETS", "139", "140", 140)])
def test_each_analyte_at_and_below_its_limit(analyte, low, ok, limit):
    result = run(lab(None, "P1", "2025-01-20", analyte, low), lab(None, "P1", "2025-01-27", analyte, ok))
    assert result.findings == [finding(RULE, "P1", "2025-01-20", test=analyte, value=float(low), threshold=limit)]


def test_a_lymphocyte_percentage_is_never_compared():
    result = run(lab(None, "P1", "2025-01-20", "LYMPHOCYTES_PCT", "0.3"),
                 lab(None, "P1", "2025-01-21", "LYMPHOCYTES", "0.3", unit="%", test_name="Lymphocytes"))
    assert result.findings == []
    assert result.summary(RULE)["patients_evaluated"] == 0


def test_cells_per_microlitre_are_divided_by_1000():
    result = run(lab(None, "P1", "2025-01-20", "WBC", "3400", unit="cells/uL"),
                 lab(None, "P1", "2025-01-21", "WBC", "3500", unit="/uL"),
                 lab(None, "P1", "2025-01-22", "PLATELETS", "139000", unit="/mm3"),
                 lab(None, "P1", "2025-01-23", "LYMPHOCYTES", "450", unit="cells/µL"))
    assert result.findings == [
        finding(RULE, "P1", "2025-01-23", test="LYMPHOCYTES", value=0.45, threshold=0.5),
        finding(RULE, "P1", "2025-01-22", test="PLATELETS", value=139.0, threshold=140),
        finding(RULE, "P1", "2025-01-20", test="WBC", value=3.4, threshold=3.5),
    ]  # sorted by test


def test_counts_written_as_k_per_ul_or_10_3_per_ul_are_taken_as_is():
    result = run(lab(None, "P1", "2025-01-20", "WBC", "3.4", unit="K/uL"),
                 lab(None, "P1", "2025-01-21", "WBC", "3.3", unit="10*3/uL"),
                 lab(None, "P1", "2025-01-22", "WBC", "3.6", unit="x10^9/L"),
                 lab(None, "P1", "2025-01-23", "WBC", "3.2", unit="/nL"))
    assert [(f["key_date"], f["value"]) for f in result.findings] == [
        ("2025-01-20", 3.4), ("2025-01-21", 3.3), ("2025-01-23", 3.2)]


def test_an_uninterpretable_unit_is_not_compared_and_is_counted_in_data_quality():
    result = run(lab(None, "P1", "2025-01-20", "WBC", "1.0", unit="mmol/L"))
    assert result.findings == []
    notes = {r["note"]: r["rows"] for r in result.table("data_quality_notes")}
    assert notes["result with an uninterpretable unit (not compared)"] == 1


def test_results_outside_the_episode_do_not_fire():
    result = run(lab(None, "P1", "2025-01-09", "WBC", "2.0"), lab(None, "P1", "2025-02-07", "WBC", "2.0"),
                 lab(None, "P1", "2025-01-10", "WBC", "2.0"), lab(None, "P1", "2025-02-06", "WBC", "2.1"))
    assert [f["key_date"] for f in result.findings] == ["2025-01-10", "2025-02-06"]


def test_found_by_local_name():
    result = run(lab(None, "P1", "2025-01-20", None, "120", unit="10^9/L", test_name="Platelet Count"))
    assert result.findings == [finding(RULE, "P1", "2025-01-20", test="PLATELETS", value=120.0, threshold=140)]


def test_two_results_of_one_analyte_on_one_day_give_one_finding_for_the_lowest():
    result = run(lab(None, "P1", "2025-01-20", "WBC", "3.0"), lab(None, "P1", "2025-01-20", "WBC", "2.5"))
    assert result.findings == [finding(RULE, "P1", "2025-01-20", test="WBC", value=2.5, threshold=3.5)]


def test_a_censored_result_below_the_limit_fires_and_one_that_may_be_above_does_not():
    result = run(lab(None, "P1", "2025-01-20", "LYMPHOCYTES", "<0.5"),
                 lab(None, "P1", "2025-01-21", "LYMPHOCYTES", "<0.6"),
                 lab(None, "P1", "2025-01-22", "LYMPHOCYTES", ">0.3"))
    assert result.findings == [finding(RULE, "P1", "2025-01-20", test="LYMPHOCYTES", value=0.5, threshold=0.5)]
    detail = result.table("findings")[0]["detail"]
    assert detail.startswith("Lymphocyte count <0.5 x10^9/L on 2025-01-20 is below 0.5")


def test_a_count_reported_in_percent_is_uninterpretable_not_a_differential():
    result = run(lab(None, "P1", "2025-01-20", "WBC", "2.0", unit="%"),
                 lab(None, "P1", "2025-01-20", "LYMPHOCYTES", "0.3", unit="%"))
    assert result.findings == []
    statuses = {r["analyte"]: r["unit_status"] for r in result.table("lab_results")}
    assert statuses == {"WBC": "uninterpretable", "LYMPHOCYTES": "percent"}
