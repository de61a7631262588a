"""TPMT classification (RULES.md, Codelists): activity in mU/L (< 20 deficient, 20-67 intermediate,
>= 68 normal) or nmol/h/gHb (< 10 deficient, 10-25 intermediate, > 25 normal); text phenotypes and
genotypes; anything else is tested but unclassified. Cut-offs come from the profile."""

import pytest

from .harness import audit, lab, patient, rx, tpmt


def phenotypes(*results):
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   labs=list(results), rule=set())
    return [r["phenotype"] for r in sorted(result.table("tpmt_results"), key=lambda r: r["collected_date"])]


@pytest.mark.parametrize("value,unit,expected", [
    ("19.9", "mU/L", "deficient"), ("20", "mU/L", "intermediate"), ("67.9", "mU/L", "intermediate"),
    ("68", "mU/L", "normal"),
    ("9.9", "nmol/h/gHb", "deficient"), ("10", "nmol/h/g Hb", "intermediate"), ("25", "nmol/h/gHb", "intermediate"),
    ("25.1", "nmol/h/gHb", "normal"),
    ("<5", "mU/L", "deficient"), ("<20", "mU/L", "deficient"), ("<30", "mU/L", None), (">80", "mU/L", "normal"),
    (">40", "mU/L", None), ("<10", "nmol/h/gHb", "deficient"), (">25", "nmol/h/gHb", "normal"),
])
def test_activity_cut_offs(value, unit, expected):
    assert phenotypes(tpmt("P1", "2025-01-01", value, unit=unit)) == [expected]


def test_an_activity_without_a_unit_counts_as_tested_but_is_unclassified():
    assert phenotypes(lab(None, "P1", "2025-01-01", "TPMT_ACTIVITY", "40", unit="")) == [None]


@pytest.mark.parametrize("text,expected", [
    ("Normal", "normal"), ("*1/*1", "normal"), ("Wild type", "normal"), ("normal metabolizer", "normal"),
    ("*1/*3A", "intermediate"), ("Heterozygous", "intermediate"), ("intermediate metabolizer", "intermediate"),
    ("*3A/*3A", "deficient"), ("Absent", "deficient"), ("poor metabolizer", "deficient"),
    ("see comment", None),
])
def test_text_results(text, expected):
    assert phenotypes(tpmt("P1", "2025-01-01", text)) == [expected]
