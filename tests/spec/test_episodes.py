"""Exposure and episodes (RULES.md, "Exposure and episodes"): the derivations every rule reads."""

from .harness import audit, patient, rx

AS_OF = "2025-12-01"


def _rx_table(result):
    return {r["prescription_id"]: r for r in result.table("aza_prescriptions")}


def _episodes(result, patient_id="P1"):
    rows = [r for r in result.table("episodes") if r["patient_id"] == patient_id]
    return [(r["episode_no"], r["episode_start"].isoformat(), r["episode_end"].isoformat()) for r in rows]


def test_default_prescription_covers_28_days_from_its_start():
    result = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-01")], rule=set())
    row = _rx_table(result)["R1"]
    assert (row["days_supply"], row["total_mg"], row["daily_dose_mg"]) == (28, 2800.0, 100.0)
    assert (row["cover_start"].isoformat(), row["cover_end"].isoformat()) == ("2025-01-01", "2025-01-28")


def test_strength_in_grams_is_converted_to_mg():
    result = audit(as_of=AS_OF, patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", strength=0.05, strength_unit="g", quantity=56)],
                   rule=set())
    row = _rx_table(result)["R1"]
    assert row["total_mg"] == 2800.0 and row["daily_dose_mg"] == 100.0 and row["dose_known"]


def test_total_from_daily_dose_times_days_when_strength_is_missing():
    result = audit(as_of=AS_OF, patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", strength=None, daily_dose=150, days_supply=30),
                                  rx("R2", "P1", "2025-02-01", strength=None, daily_dose=100, days_supply=None,
                                     end_date="2025-02-10")],
                   rule=set())
    rows = _rx_table(result)
    assert (rows["R1"]["total_mg"], rows["R1"]["days_supply"]) == (4500.0, 30)
    # days from end_date: 2025-02-01 .. 2025-02-10 is 10 days
    assert (rows["R2"]["total_mg"], rows["R2"]["days_supply"]) == (1000.0, 10)
    assert rows["R2"]["cover_end"].isoformat() == "2025-02-10"


def test_days_from_total_over_daily_dose_rounded_up():
    result = audit(as_of=AS_OF, patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=None, quantity=61, daily_dose=100)],
                   rule=set())
    row = _rx_table(result)["R1"]
    assert (row["total_mg"], row["days_supply"], row["cover_end"].isoformat()) == (3050.0, 31, "2025-01-31")


def test_unknown_total_still_gives_default_exposure():
    result = audit(as_of=AS_OF, patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", strength=None, days_supply=None)], rule=set())
    row = _rx_table(result)["R1"]
    assert row["total_mg"] is None and row["daily_dose_mg"] is None and not row["dose_known"]
    assert (row["days_supply"], row["cover_end"].isoformat()) == (28, "2025-01-28")


def test_a_break_of_60_days_keeps_the_episode_and_61_days_splits_it():
    # R1 covers 2025-01-01..2025-01-28. P1 restarts 60 days after the last covered day, P2 61 days after.
    result = audit(as_of=AS_OF, patients=[patient("P1"), patient("P2")],
                   prescriptions=[rx("R1", "P1", "2025-01-01"), rx("R2", "P1", "2025-03-29"),
                                  rx("R3", "P2", "2025-01-01"), rx("R4", "P2", "2025-03-30")],
                   rule=set())
    assert _episodes(result, "P1") == [(1, "2025-01-01", "2025-04-25")]
    assert _episodes(result, "P2") == [(1, "2025-01-01", "2025-01-28"), (2, "2025-03-30", "2025-04-26")]
    assert [(r["patient_id"], r["initiation_date"].isoformat()) for r in result.table("initiations")] == [
        ("P1", "2025-01-01"), ("P2", "2025-01-01")]


def test_the_gap_is_measured_from_the_last_covered_day_so_far_not_the_previous_prescription():
    # R1 covers to 2025-04-10 (100 days); R2 (short) ends earlier; R3 starts 60 days after R1's end.
    result = audit(as_of=AS_OF, patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=100), rx("R2", "P1", "2025-01-05"),
                                  rx("R3", "P1", "2025-06-09")],
                   rule=set())
    assert _episodes(result) == [(1, "2025-01-01", "2025-07-06")]


def test_a_cancelled_prescription_gives_no_exposure_and_does_not_bridge_a_gap():
    result = audit(as_of=AS_OF, patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01"), rx("R2", "P1", "2025-03-01", status="cancelled"),
                                  rx("R3", "P1", "2025-04-15", status="entered-in-error"),
                                  rx("R4", "P1", "2025-05-01")],
                   rule=set())
    assert set(_rx_table(result)) == {"R1", "R4"}
    assert _episodes(result) == [(1, "2025-01-01", "2025-01-28"), (2, "2025-05-01", "2025-05-28")]


def test_active_up_to_episode_gap_days_after_the_end():
    # the episode ends 2025-01-28: active through 2025-03-29 (end + 60), not on 2025-03-30
    for as_of, active, eval_end in (("2025-03-29", True, "2025-03-29"), ("2025-03-30", False, "2025-01-28")):
        result = audit(as_of=as_of, patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-01")],
                       rule=set())
        (row,) = result.table("episodes")
        assert (row["is_active"], row["eval_end"].isoformat()) == (active, eval_end), as_of


def test_active_episode_evaluated_to_as_of_even_while_supply_runs_on():
    result = audit(as_of="2025-01-10", patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-01")],
                   rule=set())
    (row,) = result.table("episodes")
    assert row["is_active"] and row["eval_end"].isoformat() == "2025-01-10"
    assert row["episode_end"].isoformat() == "2025-01-28"


def test_a_patient_who_died_while_supply_was_running():
    result = audit(as_of="2025-06-01", patients=[patient("P1", death_date="2025-01-20")],
                   prescriptions=[rx("R1", "P1", "2025-01-01")], rule=set())
    (row,) = result.table("episodes")
    assert not row["is_active"]
    assert (row["episode_end"].isoformat(), row["eval_end"].isoformat()) == ("2025-01-28", "2025-01-20")


def test_death_on_the_as_of_date_ends_the_episode_and_a_death_after_it_is_ignored():
    on_day = audit(as_of="2025-01-20", patients=[patient("P1", death_date="2025-01-20")],
                   prescriptions=[rx("R1", "P1", "2025-01-01")], rule=set())
    (row,) = on_day.table("episodes")
    assert (row["is_active"], row["eval_end"].isoformat()) == (False, "2025-01-20")
    later = audit(as_of="2025-01-20", patients=[patient("P1", death_date="2025-01-21")],
                  prescriptions=[rx("R1", "P1", "2025-01-01")], rule=set())
    (row,) = later.table("episodes")
    assert (row["is_active"], row["eval_end"].isoformat()) == (True, "2025-01-20")


def test_maintenance_start_follows_the_profile_schedule():
    starts = {}
    for profile in ("default", "uk-smpc", "bsr-2017"):
        result = audit(as_of=AS_OF, patients=[patient("P1")], prescriptions=[rx("R1", "P1", "2025-01-01")],
                       profile=profile, rule=set())
        (row,) = result.table("episodes")
        starts[profile] = row["maintenance_start"].isoformat()
    # default 4 x 7 days; uk-smpc 8 x 7; bsr-2017 3 x 14 + 3 x 31 = 135 days
    assert starts == {"default": "2025-01-29", "uk-smpc": "2025-02-26", "bsr-2017": "2025-05-16"}


def test_first_prescription_of_each_episode():
    result = audit(as_of=AS_OF, patients=[patient("P1")],
                   prescriptions=[rx("R2", "P1", "2025-01-01"), rx("R1", "P1", "2025-01-01"),
                                  rx("R3", "P1", "2025-06-01")],
                   rule=set())
    assert [(r["episode_no"], r["first_prescription_id"], r["is_last"]) for r in result.table("episodes")] == [
        (1, "R1", False), (2, "R3", True)]
