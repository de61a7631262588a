"""The p-charts' special causes follow the NHS "Making Data Count" run rules, on constructed series."""

import numpy as np

from pipelines.lib.report.charts import assurance, spc_signals

CENTRE, SIGMA = 0.80, 0.02  # limits at 0.74 and 0.86; 2 sigma at 0.76 and 0.84


def _signals(points, higher_is_better=True):
    return spc_signals(np.array(points), CENTRE, SIGMA, higher_is_better)


def test_common_cause_variation_has_no_signal():
    assert _signals([0.80, 0.81, 0.79, 0.815, 0.80, 0.785, 0.81, 0.79]) == [None] * 8


def test_a_point_beyond_the_limits():
    found = _signals([0.80, 0.81, 0.87, 0.80, 0.73, 0.80])
    assert found == [None, None, "improvement", None, "concern", None]
    # the same points when lower is better: the high one is the concern
    assert _signals([0.80, 0.81, 0.87, 0.80, 0.73, 0.80], higher_is_better=False)[2:5] == ["concern", None,
                                                                                            "improvement"]


def test_a_shift_of_seven_on_one_side_of_the_centre():
    six = [0.79, 0.81, 0.805, 0.81, 0.802, 0.807, 0.803, 0.79]
    assert _signals(six) == [None] * 8  # six in a row above: not yet a shift
    seven = [0.79, 0.81, 0.805, 0.81, 0.802, 0.807, 0.803, 0.806, 0.79]
    assert _signals(seven) == [None] + ["improvement"] * 7 + [None]
    below = [0.795, 0.79, 0.798, 0.797, 0.792, 0.799, 0.796]
    assert _signals(below) == ["concern"] * 7


def test_a_trend_of_six_rising_or_falling():
    rising = [0.80, 0.776, 0.78, 0.785, 0.79, 0.795, 0.81, 0.80]
    assert _signals(rising) == [None, "improvement", "improvement", "improvement", "improvement", "improvement",
                                "improvement", None]
    five = [0.80, 0.78, 0.785, 0.79, 0.795, 0.805, 0.80]
    assert _signals(five) == [None] * 7
    falling = [0.82, 0.815, 0.81, 0.805, 0.80, 0.79]
    assert _signals(falling) == ["concern"] * 6


def test_two_of_three_beyond_two_sigma_on_the_same_side():
    assert _signals([0.80, 0.845, 0.80, 0.848, 0.80]) == [None, "improvement", None, "improvement", None]
    # one high and one low beyond 2 sigma are not a signal
    assert _signals([0.80, 0.845, 0.755, 0.80]) == [None, None, None, None]


def test_limits_that_vary_with_the_month():
    sigma = np.array([0.02, 0.02, 0.005, 0.02])
    assert spc_signals(np.array([0.80, 0.81, 0.82, 0.80]), CENTRE, sigma) == [None, None, "improvement", None]


def test_assurance_against_a_target():
    assert assurance(0.90, 0.92, 0.99) == "consistently meets the target"
    assert assurance(0.90, 0.80, 0.88) == "consistently fails the target"
    assert assurance(0.90, 0.85, 0.95) == "hit and miss against the target"
    assert assurance(0.05, 0.01, 0.04, higher_is_better=False) == "consistently meets the target"
    assert assurance(None, 0.8, 0.9) is None
