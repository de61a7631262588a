"""Over eleven years on a steady dose: past the cumulative limit and the duration limit."""

from __future__ import annotations

from .base import Scenario
from .cumulative import steady_dose


class Builder(Scenario):
    name, share = "cumulative_over_limit", 2
    started_days_ago = (4150, 5100)
    expected = ("CUMULATIVE_DOSE_OVER_LIMIT", "TREATMENT_DURATION_OVER_LIMIT")
    group = "dose"

    def details(self, p, plan):
        p.kg0 = p.r.uniform(64, 88)
        plan.dose = steady_dose(p.r.choice((150, 150, 175)))

    def birth(self, p, plan):
        p.birth = plan.start - p.r.randint(24 * 365, 45 * 365)

    def cumulative_ok(self, p, cumulative_mg, days_on):
        q = p.params
        return cumulative_mg > q["cumulative_limit_mg"] + 10000 and days_on > q["duration_limit_days"] + 48
