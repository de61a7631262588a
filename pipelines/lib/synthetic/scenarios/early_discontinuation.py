"""Stopped before the minimum treatment time for a reason that is not one to stop."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "early_discontinuation", 3
    expected = ("EARLY_DISCONTINUATION",)
    stopped_before_as_of = True
    stop_reasons = ("Azathioprine stopped: nausea", "Azathioprine stopped: patient choice",
                    "Azathioprine stopped: rash", "Azathioprine stopped: alopecia")

    def timeline(self, p, plan):
        plan.start = p.A - p.r.randint(300, 2000)
        plan.episodes = [(plan.start, plan.start + p.r.randint(60, 440))]

    def extra_guard(self, p, plan, eps):
        q = p.params
        return eps[0][1] - eps[0][0] + 1 < q["min_treatment_days"] - 8 and eps[0][1] + q["episode_gap_days"] < p.A - 5
