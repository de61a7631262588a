"""BASELINE_BLOODS_MISSING (medium): no CBC (resp. LFT) in [episode_start - 30, episode_start]; per episode
and test; key_date = episode start, window = the baseline interval."""

from .harness import audit, bloods, cbc, finding, lab, lft, patient, rx

RULE = "BASELINE_BLOODS_MISSING"


def test_fires_for_both_tests_without_any_bloods():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   rule=RULE)
    assert result.findings == [
        finding(RULE, "P1", "2025-01-10", test="CBC", window_start="2024-12-11", window_end="2025-01-10"),
        finding(RULE, "P1", "2025-01-10", test="LFT", window_start="2024-12-11", window_end="2025-01-10"),
    ]


def test_bloods_30_days_before_and_on_the_start_day_count():
    result = audit(as_of="2025-06-01", patients=[patient("P1"), patient("P2")],
                   prescriptions=[rx("R1", "P1", "2025-01-10"), rx("R2", "P2", "2025-01-10")],
                   labs=bloods("P1", "2024-12-11") + bloods("P2", "2025-01-10"), rule=RULE)
    assert result.findings == []


def test_bloods_31_days_before_or_the_day_after_do_not_count():
    result = audit(as_of="2025-06-01", patients=[patient("P1"), patient("P2")],
                   prescriptions=[rx("R1", "P1", "2025-01-10"), rx("R2", "P2", "2025-01-10")],
                   labs=bloods("P1", "2024-12-10") + bloods("P2", "2025-01-11"), rule=RULE)
    assert [(f["patient_id"], f["test"]) for f in result.findings] == [
        ("P1", "CBC"), ("P1", "LFT"), ("P2", "CBC"), ("P2", "LFT")]


def test_per_test_any_analyte_of_the_group_whatever_its_value():
    # a platelet count (CBC) with an odd unit still means a CBC was done; no LFT at all
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   labs=[lab(None, "P1", "2025-01-01", "PLATELETS", "250", unit="furlongs")], rule=RULE)
    assert result.findings == [
        finding(RULE, "P1", "2025-01-10", test="LFT", window_start="2024-12-11", window_end="2025-01-10")]


def test_each_episode_is_checked():
    result = audit(
        as_of="2025-06-01",
        patients=[patient("P1")],
        prescriptions=[rx("R1", "P1", "2024-01-10"), rx("R2", "P1", "2025-01-10")],  # two episodes
        labs=bloods("P1", "2024-01-05") + [cbc("P1", "2025-01-01")],
        rule=RULE,
    )
    assert result.findings == [
        finding(RULE, "P1", "2025-01-10", test="LFT", window_start="2024-12-11", window_end="2025-01-10")]
    assert result.summary(RULE)["patients_evaluated"] == 1


def test_detail_names_the_interval():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   labs=[lft("P1", "2025-01-10")], rule=RULE)
    detail = result.table("findings")[0]["detail"]
    assert "2024-12-11" in detail and "2025-01-10" in detail and "CBC" in detail
