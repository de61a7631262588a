"""Normalisation: local lab names, units and drug names as registries write them."""

import pytest

from tests.spec.harness import audit, lab, patient, rx


@pytest.mark.parametrize("name,analyte", [
    ("Alanine Aminotransferase (ALT)", "ALT"),
    ("Asparate Aminotransferase (AST)", "AST"),
    ("White Blood Cells", "WBC"),
    ("Platelet Count", "PLATELETS"),
    ("  platelet   count ", "PLATELETS"),
    ("WBC (White cell count)", "WBC"),
    ("Full Blood Count", "CBC_PANEL"),
    ("LFTs", "LFT_PANEL"),
    ("Body weight", "WEIGHT"),
    ("Thiopurine methyltransferase", "TPMT_ACTIVITY"),
])
def test_local_lab_names_tolerate_case_spacing_punctuation_and_a_bracketed_abbreviation(name, analyte):
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   labs=[lab("L1", "P1", "2025-01-01", None, "5", unit="U/L", test_name=name)], rule=set())
    assert [r["analyte"] for r in result.table("lab_results")] == [analyte]


@pytest.mark.parametrize("drug_name,drug_code,is_azathioprine", [
    ("Azathioprine 50mg tablets", None, True),
    ("IMURAN 25 MG", None, True),
    ("Azasan 75mg", None, True),
    ("Tablet, 50 mg", "197388", True),     # RxNorm product code, generic name missing
    ("Tablet, 50 mg", "L04AX01", True),    # ATC
    ("Mercaptopurine 50mg", None, False),
    ("Tecfidera 240mg", None, False),
])
def test_azathioprine_is_picked_out_by_name_or_code(drug_name, drug_code, is_azathioprine):
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", drug_name=drug_name, drug_code=drug_code)], rule=set())
    assert bool(result.table("aza_prescriptions")) is is_azathioprine


@pytest.mark.parametrize("drug_name,dmt", [
    ("Tecfidera 240mg capsules", "dimethyl fumarate"),
    ("Interferon beta-1a 30 micrograms", "interferon beta-1a"),
    ("Peginterferon beta-1a (Plegridy)", "peginterferon beta-1a"),
    ("COPAXONE 20mg/ml", "glatiramer"),
    ("Ocrevus 300mg infusion", "ocrelizumab"),
])
def test_preferred_ms_therapies_are_recognised(drug_name, dmt):
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2024-01-01", drug_name=drug_name)], rule=set())
    assert [r["dmt"] for r in result.table("dmt_prescriptions")] == [dmt]
