"""No blood count or liver test in the baseline window before the first dose."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "baseline_bloods_missing", 4
    started_days_ago = (14, 2000)
    expected = ("BASELINE_BLOODS_MISSING",)
    group = "monitoring"

    def details(self, p, plan):
        plan.monitoring = {"baseline": False, "week1_min": 1}
        if p.r.random() < 0.4:
            plan.monitoring["old_baseline"] = True
