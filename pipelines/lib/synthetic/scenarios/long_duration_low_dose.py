"""Over ten years on a low dose: past the duration limit, well under the cumulative one."""

from __future__ import annotations

from .base import Scenario
from .cumulative import steady_dose


class Builder(Scenario):
    name, share = "long_duration_low_dose", 1
    started_days_ago = (3760, 4300)
    expected = ("TREATMENT_DURATION_OVER_LIMIT",)
    group = "dose"

    def details(self, p, plan):
        p.kg0 = p.r.uniform(48, 62)
        plan.dose = steady_dose(p.r.choice((75, 100)))

    def birth(self, p, plan):
        p.birth = plan.start - p.r.randint(24 * 365, 45 * 365)

    def cumulative_ok(self, p, cumulative_mg, days_on):
        q = p.params
        return cumulative_mg < q["cumulative_approaching_mg"] - 5000 and days_on > q["duration_limit_days"] + 48
