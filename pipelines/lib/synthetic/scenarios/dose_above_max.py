"""Later regimens above the maximum mg/kg/day for a light patient."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "dose_above_max", 3
    started_days_ago = (200, 2000)
    expected = ("DAILY_DOSE_ABOVE_MAX",)
    group = "dose"
    over_max_dose = True

    def details(self, p, plan):
        plan.high_dose_from = ("later", 3.3)
        p.kg0 = p.r.uniform(46, 62)
