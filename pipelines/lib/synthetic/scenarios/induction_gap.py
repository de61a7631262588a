"""One induction week without bloods."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "induction_gap", 5
    started_days_ago = (60, 2000)
    expected = ("INDUCTION_MONITORING_GAP",)
    group = "monitoring"

    def details(self, p, plan):
        plan.monitoring = {"skip_week": p.r.choice((2, 3, 3, 4))}
