"""XOI_COPRESCRIBED (high): an allopurinol or febuxostat prescription overlaps an episode; once per episode
at the first overlap day F; value = the latest regimen's daily dose on or before F; threshold = 25%
(`xoi_max_dose_fraction`) of the regimen before F, or, when the episode starts inside the overlap, 25% of
3.0 mg/kg x the weight at the start (no weight: it fires; an unknown dose fires). No finding when
value <= threshold."""

from .harness import audit, finding, patient, rx, weight

RULE = "XOI_COPRESCRIBED"


def allopurinol(prescription_id, patient_id, start, days=28, name="Allopurinol 100mg tablets", code=None):
    return dict(prescription_id=prescription_id, patient_id=patient_id, drug_name=name, drug_code=code,
                start_date=start, days_supply=days)


def _f(key, end, value, threshold):
    return finding(RULE, "P1", key, window_start=key, window_end=end, value=value, threshold=threshold)


def test_a_25_percent_cut_passes_a_30_percent_dose_fires():
    # 200 mg/day (4 x 50) from 2025-01-01; allopurinol from 2025-03-01 with a regimen that day
    def run(mg):
        return audit(as_of="2025-06-01", patients=[patient("P1")],
                     prescriptions=[rx("R1", "P1", "2025-01-01", quantity=4 * 59, days_supply=59),
                                    rx("R2", "P1", "2025-03-01", strength=mg, quantity=28),
                                    allopurinol("X1", "P1", "2025-03-01")], rule=RULE)
    assert run(50).findings == []  # 50 = 25% of 200
    assert run(60).findings == [_f("2025-03-01", "2025-03-28", 60.0, 50.0)]  # 30%


def test_no_dose_change_fires_once_per_episode_and_febuxostat_by_code():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01", days_supply=150),
                                  allopurinol("X1", "P1", "2025-02-01", name="Uloric 80mg", code=None),
                                  allopurinol("X2", "P1", "2025-04-01", name="feb", code="M04AA03")], rule=RULE)
    assert result.findings == [_f("2025-02-01", "2025-04-28", 100.0, 25.0)]  # to the last overlap day


def test_an_episode_started_inside_the_overlap_uses_the_weight():
    # allopurinol covers 2025-01-01..2025-03-31; azathioprine starts 2025-02-01: 25% of 3 mg/kg x 60 kg = 45
    base = dict(as_of="2025-06-01", patients=[patient("P1")], rule=RULE)
    low = audit(**base, prescriptions=[rx("R1", "P1", "2025-02-01", strength=25, quantity=28),
                                       allopurinol("X1", "P1", "2025-01-01", days=90)],
                labs=[weight("P1", "2025-01-15", 60)])
    assert low.findings == []  # 25 mg/day <= 45
    high = audit(**base, prescriptions=[rx("R1", "P1", "2025-02-01"), allopurinol("X1", "P1", "2025-01-01", days=90)],
                 labs=[weight("P1", "2025-01-15", 60)])
    assert high.findings == [_f("2025-02-01", "2025-02-28", 100.0, 45.0)]
    no_weight = audit(**base, prescriptions=[rx("R1", "P1", "2025-02-01", strength=25, quantity=28),
                                             allopurinol("X1", "P1", "2025-01-01", days=90)])
    assert no_weight.findings == [_f("2025-02-01", "2025-02-28", 25.0, None)]


def test_no_overlap_and_cancelled_give_nothing():
    result = audit(as_of="2025-06-01", patients=[patient("P1")],
                   prescriptions=[rx("R1", "P1", "2025-01-01"),
                                  allopurinol("X1", "P1", "2025-01-29"),  # the day after the last covered
                                  dict(allopurinol("X2", "P1", "2025-01-10"), status="canceled")], rule=RULE)
    assert result.findings == []
