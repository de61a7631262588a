"""A cumulative dose between the approaching mark and the limit, under ten years."""

from __future__ import annotations

from .base import Scenario
from .cumulative import steady_dose


class Builder(Scenario):
    name, share = "cumulative_approaching", 2
    expected = ("CUMULATIVE_DOSE_APPROACHING",)
    group = "dose"

    def timeline(self, p, plan):
        plan.start, plan.episodes = 0, None  # set from the target dose below

    def details(self, p, plan):
        q = p.params
        p.kg0 = p.r.uniform(72, 95)
        daily = p.r.choice((175, 200))
        target_mg = p.r.uniform(q["cumulative_approaching_mg"] + 25000, q["cumulative_limit_mg"] - 25000)
        plan.start = p.A - int(target_mg / daily)
        plan.episodes = [(plan.start, None)]
        plan.dose = steady_dose(daily)

    def cumulative_ok(self, p, cumulative_mg, days_on):
        q = p.params
        return q["cumulative_approaching_mg"] + 5000 <= cumulative_mg <= q["cumulative_limit_mg"] - 5000 \
            and days_on < q["duration_limit_days"] - 52
