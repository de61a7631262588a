"""ABNORMAL_RESULT_NOT_REPEATED (high): a result that fires CYTOPENIA_ON_TREATMENT or
LIVER_TOXICITY_ON_TREATMENT on day d, with no interpretable result of the same analyte in [d + 1, d + 14]
(`abnormal_repeat_days`) and no episode end in [d, d + 14]; judged only when as_of >= d + 14 and the patient
did not die on or before d + 14. key_date = d; test = analyte; window = [d + 1, d + 14]."""

from .harness import audit, finding, lab, patient, rx

RULE = "ABNORMAL_RESULT_NOT_REPEATED"
D = "2025-03-01"


def run(labs, as_of="2025-06-01", days_supply=365, death_date=None):
    return audit(as_of=as_of, patients=[patient("P1", death_date=death_date)],
                 prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=days_supply)], labs=labs, rule=RULE)


def _f(test, value, threshold, key_date=D, window=("2025-03-02", "2025-03-15")):
    return finding(RULE, "P1", key_date, test=test, window_start=window[0], window_end=window[1], value=value,
                   threshold=threshold)


def test_an_abnormal_count_not_repeated_fires():
    result = run([lab(None, "P1", D, "NEUTROPHILS", "1.2")])
    assert result.findings == [_f("NEUTROPHILS", 1.2, 1.6)]
    assert "repeat it now" in result.table("findings")[0]["detail"]


def test_a_repeat_on_d_plus_14_closes_the_loop_d_plus_15_does_not():
    repeated = run([lab(None, "P1", D, "WBC", "2.9"), lab(None, "P1", "2025-03-15", "WBC", "4.0")])
    assert repeated.findings == []
    late = run([lab(None, "P1", D, "WBC", "2.9"), lab(None, "P1", "2025-03-16", "WBC", "4.0")])
    assert late.findings == [_f("WBC", 2.9, 3.5)]


def test_a_repeat_must_be_the_same_analyte_and_interpretable():
    # a platelet count, or a lymphocyte percentage, is not a repeat of a lymphocyte count
    result = run([lab(None, "P1", D, "LYMPHOCYTES", "0.3"), lab(None, "P1", "2025-03-05", "PLATELETS", "200"),
                  lab(None, "P1", "2025-03-06", "LYMPHOCYTES_PCT", "20")])
    assert result.findings == [_f("LYMPHOCYTES", 0.3, 0.5)]


def test_liver_results_and_censored_values_count_as_the_toxicity_rules_count_them():
    result = run([lab(None, "P1", D, "ALT", ">100"), lab(None, "P1", "2025-03-03", "AST", "150"),
                  lab(None, "P1", "2025-03-04", "AST", "40")])
    assert result.findings == [_f("ALT", 100.0, 100.0)]


def test_stopping_treatment_within_14_days_is_acting_on_it():
    # 60 days from 2025-01-01: the episode ends 2025-03-01 .. 03-15 counts; 03-16 does not
    assert run([lab(None, "P1", "2025-02-15", "WBC", "2.0")], days_supply=58).findings == []  # ends 02-27
    result = run([lab(None, "P1", "2025-02-10", "WBC", "2.0")], days_supply=56)  # ends 02-25 = d + 15
    assert result.findings == [_f("WBC", 2.0, 3.5, key_date="2025-02-10", window=("2025-02-11", "2025-02-24"))]


def test_not_judged_before_d_plus_14_nor_after_death():
    assert run([lab(None, "P1", D, "WBC", "2.0")], as_of="2025-03-14").findings == []
    assert run([lab(None, "P1", D, "WBC", "2.0")], as_of="2025-03-15").findings == [_f("WBC", 2.0, 3.5)]
    assert run([lab(None, "P1", D, "WBC", "2.0")], death_date="2025-03-15").findings == []
