"""TPMT_AFTER_TRANSFUSION (medium, requires events): every classified TPMT result on or before initiation is
normal and each was collected in [t, t + 90] of a blood_transfusion event t (`transfusion_tpmt_days`).
key_date = the latest such result; window = [its transfusion, the result]."""

from .harness import audit, event, finding, patient, rx, tpmt

RULE = "TPMT_AFTER_TRANSFUSION"


def run(labs, events, start="2025-03-01"):
    return audit(as_of="2025-06-01", patients=[patient("P1")], prescriptions=[rx("R1", "P1", start)], labs=labs,
                 events=events, rule=RULE)


def _f(result, transfusion, days):
    return finding(RULE, "P1", result, window_start=transfusion, window_end=result, value=days, threshold=90)


def test_90_days_after_a_transfusion_fires_91_does_not():
    # transfusion 2024-11-01: +90 = 2025-01-30
    assert run([tpmt("P1", "2025-01-30")], [event("E1", "P1", "2024-11-01", "blood_transfusion")]).findings == \
        [_f("2025-01-30", "2024-11-01", 90)]
    assert run([tpmt("P1", "2025-01-31")], [event("E1", "P1", "2024-11-01", "blood_transfusion")]).findings == []


def test_every_classified_result_must_be_normal_and_masked():
    transfused = [event("E1", "P1", "2024-11-01", "blood_transfusion")]
    # a second normal result long after the transfusion is trustworthy: no finding
    assert run([tpmt("P1", "2024-12-01"), tpmt("P1", "2025-02-20")], transfused).findings == []
    # an intermediate result is not a false normal
    assert run([tpmt("P1", "2024-12-01", value="intermediate")], transfused).findings == []
    # each result its own transfusion: two results, each within 90 days of one
    both = run([tpmt("P1", "2024-12-01"), tpmt("P1", "2025-02-20")],
               transfused + [event("E2", "P1", "2025-02-01", "blood_transfusion")])
    assert both.findings == [_f("2025-02-20", "2025-02-01", 19)]


def test_results_after_initiation_and_other_events_do_not_count():
    assert run([tpmt("P1", "2025-03-02")], [event("E1", "P1", "2025-03-01", "blood_transfusion")]).findings == []
    assert run([tpmt("P1", "2025-01-01")], [event("E1", "P1", "2024-12-01", "sepsis")]).findings == []
