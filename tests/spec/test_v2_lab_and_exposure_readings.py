"""RULES.md version 2 readings shared by many rules, each pinned on the rule where it matters: LOINC
precedence and whole-name matching, non-results, core analytes, British TPMT spellings, `canceled` and
`draft`, and renal monitoring in the bsr-2017 profile. Each was a defect an independent review found."""

import pytest

from .harness import audit, cbc, lab, lft, patient, rx, tpmt

AS_OF = "2025-06-01"


def test_a_urine_leukocyte_count_is_not_a_blood_count():
    # LOINC 5821-4 (not in the codelist) decides the row: the name "Leukocytes" is not used
    result = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=200)],
                   labs=[dict(result_id="U1", patient_id="P1", test_code="5821-4", test_name="Leukocytes",
                              collected_at="2025-02-01", value="25", unit="/uL"),
                         lab(None, "P1", "2025-02-02", None, "0.02", unit="10*9/L", test_name="Urine leukocytes")],
                   rule="CYTOPENIA_ON_TREATMENT")
    assert result.findings == []
    assert {r["analyte"] for r in result.table("lab_mapping")} == {None}


def test_a_local_code_still_falls_back_to_the_name():
    result = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=200)],
                   labs=[dict(result_id="W1", patient_id="P1", test_code="WCC01", test_name="White cell count",
                              collected_at="2025-02-01", value="2.0", unit="10*9/L")],
                   rule="CYTOPENIA_ON_TREATMENT")
    assert [f["test"] for f in result.findings] == ["WBC"]


@pytest.mark.parametrize("analyte, group", [("HAEMOGLOBIN", "CBC"), ("ALBUMIN", "LFT")])
def test_haemoglobin_alone_is_not_a_blood_count_nor_albumin_a_liver_panel(analyte, group):
    week1 = [lab(None, "P1", "2025-01-03", analyte, "130" if analyte == "HAEMOGLOBIN" else "40"),
             cbc("P1", "2025-01-03") if group == "LFT" else lft("P1", "2025-01-03")]
    result = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=8)],
                   labs=week1, rule="INDUCTION_MONITORING_GAP")
    # week 1 has only the non-core analyte for `group` (and the other group done): `group` is missing there
    assert (group, "2025-01-01") in [(f["test"], f["key_date"]) for f in result.findings]
    other = "LFT" if group == "CBC" else "CBC"
    assert (other, "2025-01-01") not in [(f["test"], f["key_date"]) for f in result.findings]


@pytest.mark.parametrize("value", ["Sample clotted", "NOT PERFORMED", "haemolysed - please repeat",
                                   "insufficient sample"])
def test_a_non_result_counts_for_nothing(value):
    result = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=8)],
                   labs=[lab(None, "P1", "2025-01-03", "WBC", value), lft("P1", "2025-01-03")],
                   rule="INDUCTION_MONITORING_GAP")
    assert ("CBC", "2025-01-01") in [(f["test"], f["key_date"]) for f in result.findings]
    notes = {r["note"]: r["rows"] for r in result.table("data_quality_notes")}
    assert notes["non-result (not performed, haemolysed, clotted, ...): counts for nothing"] == 1


def test_a_haemolysed_tpmt_sample_is_not_a_tpmt_test():
    result = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   labs=[tpmt("P1", "2025-01-01", value="Sample haemolysed")], rule="TPMT_NOT_TESTED")
    assert [f["patient_id"] for f in result.findings] == ["P1"]


@pytest.mark.parametrize("text", ["Poor metaboliser", "poor metabolizer", "Deficient"])
def test_poor_metaboliser_in_either_spelling_is_deficient(text):
    result = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   labs=[tpmt("P1", "2025-01-01", value=text)],
                   rule={"TPMT_DEFICIENT_PRESCRIBED", "TPMT_NOT_TESTED"})
    assert [f["rule_id"] for f in result.findings] == ["TPMT_DEFICIENT_PRESCRIBED"]
    assert result.summary("TPMT_DEFICIENT_PRESCRIBED")["patients_evaluated"] == 1


@pytest.mark.parametrize("text, phenotype", [("Normal metaboliser", "normal"), ("Intermediate metaboliser", "intermediate"),
                                             ("Possible intermediate metaboliser", "intermediate"),
                                             ("possible intermediate metabolizer", "intermediate"),
                                             ("Indeterminate", None)])
def test_british_and_possible_spellings(text, phenotype):
    result = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   labs=[tpmt("P1", "2025-01-01", value=text)], rule=set())
    assert [r["phenotype"] for r in result.table("tpmt_results")] == [phenotype]


def test_a_deficient_patient_whose_exposure_ended_is_told_not_to_restart():
    result = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2020-01-10")],
                   labs=[tpmt("P1", "2020-01-01", value="deficient")], rule="TPMT_DEFICIENT_PRESCRIBED")
    detail = result.table("findings")[0]["detail"]
    assert "stop it" not in detail and "do not restart" in detail


@pytest.mark.parametrize("status", ["canceled", "Cancelled", "draft", "entered in error"])
def test_canceled_and_draft_prescriptions_give_no_exposure(status):
    result = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10", status=status)],
                   rule="TPMT_NOT_TESTED")
    assert result.findings == [] and result.table("episodes") == []


def test_bsr_2017_monitors_renal_function_and_default_does_not():
    labs = [cbc("P1", "2025-01-01"), lft("P1", "2025-01-01")]
    bsr = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")], labs=labs,
                profile="bsr-2017", rule="BASELINE_BLOODS_MISSING")
    assert [f["test"] for f in bsr.findings] == ["RENAL"]
    default = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")], labs=labs,
                    rule="BASELINE_BLOODS_MISSING")
    assert default.findings == []
    # an eGFR (a core renal analyte, by local name) is renal function done
    done = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                 labs=labs + [lab(None, "P1", "2025-01-01", None, "85", unit="mL/min/1.73m2", test_name="eGFR")],
                 profile="bsr-2017", rule="BASELINE_BLOODS_MISSING")
    assert done.findings == []
