"""STARTING_DOSE_HIGH (low): the first regimen of an episode (its same-day prescriptions summed) above
2.0 mg/kg/day (`start_max_mg_per_kg_day`), weight being the latest in the year before its start; no weight,
no finding. key_date = episode start; value = mg/kg/day; threshold = 2.0."""

from .harness import audit, finding, patient, rx, weight

RULE = "STARTING_DOSE_HIGH"


def _f(patient_id, start, mg_per_kg):
    return finding(RULE, patient_id, start, value=mg_per_kg, threshold=2.0)


def test_boundary_at_2_0_and_2_01_mg_per_kg():
    # 100 mg/day (2 x 50 mg): 50 kg is exactly 2.0 (no finding); 49.75 kg is 2.0100...
    result = audit(as_of="2025-06-01", patients=[patient("P200"), patient("P201")],
                   prescriptions=[rx("R1", "P200", "2025-01-10"), rx("R2", "P201", "2025-01-10")],
                   labs=[weight("P200", "2025-01-01", 50), weight("P201", "2025-01-01", 49.75)], rule=RULE)
    assert [f["patient_id"] for f in result.findings] == ["P201"]
    assert abs(result.findings[0]["value"] - 100 / 49.75) < 1e-6


def test_a_same_day_100_mg_and_25_mg_regimen_is_summed():
    # 100 mg + 25 mg on the same day = 125 mg/day for 60 kg = 2.083 mg/kg/day; each alone is under the limit
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-10"),
                                  rx("R2", "P1", "2025-01-10", strength=25, quantity=28)],
                   labs=[weight("P1", "2025-01-05", 60)], rule=RULE)
    assert result.findings == [_f("P1", "2025-01-10", round(125 / 60, 9))]


def test_no_weight_in_the_year_before_no_finding_and_not_in_the_population():
    result = audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-10")],
                   labs=[weight("P1", "2024-01-09", 30)], rule=RULE)  # 367 days before: too old
    assert result.findings == []
    assert result.summary(RULE)["patients_evaluated"] == 0


def test_only_the_first_regimen_of_each_episode_is_judged():
    # episode 1 starts at 100 mg/day (2.0 mg/kg: fine) and is raised to 150 mg; episode 2 (after a 90-day
    # break) starts at 150 mg/day for 50 kg = 3.0 mg/kg/day
    result = audit(as_of="2025-12-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01"), rx("R2", "P1", "2025-01-29", quantity=84),
                                  rx("R3", "P1", "2025-05-26", quantity=84)],
                   labs=[weight("P1", "2024-12-20", 50)], rule=RULE)
    assert result.findings == [_f("P1", "2025-05-26", 3.0)]
