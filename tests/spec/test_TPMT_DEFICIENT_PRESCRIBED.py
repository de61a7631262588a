"""TPMT_DEFICIENT_PRESCRIBED (critical): an azathioprine prescription starts on or after a TPMT result
classified deficient; once per patient; key_date = start of the first such prescription."""

from .harness import audit, finding, patient, rx, tpmt

RULE = "TPMT_DEFICIENT_PRESCRIBED"


def _f(patient_id, key_date, deficient_on):
    return finding(RULE, patient_id, key_date, window_start=deficient_on, window_end=key_date)


def test_prescription_on_the_day_of_a_deficient_result_fires():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   labs=[tpmt("P1", "2025-01-10", value="Deficient")], rule=RULE)
    assert result.findings == [_f("P1", "2025-01-10", "2025-01-10")]


def test_prescriptions_only_before_the_deficient_result_do_not_fire():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   labs=[tpmt("P1", "2025-01-11", value="absent")], rule=RULE)
    assert result.findings == []


def test_once_per_patient_at_the_first_prescription_after_the_result():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01"), rx("R2", "P1", "2025-01-29"),
                                  rx("R3", "P1", "2025-02-26")],
                   labs=[tpmt("P1", "2025-01-15", value="*3A/*3A")], rule=RULE)
    assert result.findings == [_f("P1", "2025-01-29", "2025-01-15")]


def test_activity_below_the_deficient_cut_off_classifies_deficient():
    result = audit(as_of="2025-06-01", patients=[patient("P1"), patient("P2")],
                   prescriptions=[rx("R1", "P1", "2025-01-10"), rx("R2", "P2", "2025-01-10")],
                   labs=[tpmt("P1", "2025-01-01", value="19.9", unit="mU/L"),
                         tpmt("P2", "2025-01-01", value="20", unit="mU/L")],
                   rule=RULE)
    assert result.findings == [_f("P1", "2025-01-10", "2025-01-01")]


def test_intermediate_normal_and_unclassified_results_do_not_fire():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   labs=[tpmt("P1", "2025-01-01", value="intermediate"), tpmt("P1", "2025-01-02", value="normal"),
                         tpmt("P1", "2025-01-03", value="pending")],
                   rule=RULE)
    assert result.findings == []


def test_a_cancelled_prescription_after_the_result_does_not_fire():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01"), rx("R2", "P1", "2025-02-01", status="cancelled")],
                   labs=[tpmt("P1", "2025-01-15", value="deficient")], rule=RULE)
    assert result.findings == []


def test_the_earliest_deficient_result_counts_and_patients_never_initiated_are_not_evaluated():
    result = audit(as_of="2025-06-01", patients=[patient("P1"), patient("P2")],
                   prescriptions=[rx("R1", "P1", "2025-03-01")],
                   labs=[tpmt("P1", "2025-02-01", value="deficient"), tpmt("P1", "2025-01-01", value="homozygous"),
                         tpmt("P2", "2025-01-01", value="deficient")],
                   rule=RULE)
    assert result.findings == [_f("P1", "2025-03-01", "2025-01-01")]
    assert result.summary(RULE)["patients_evaluated"] == 1
