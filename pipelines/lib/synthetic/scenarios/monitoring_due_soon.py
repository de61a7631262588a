"""On treatment, bloods due within days (past due_soon_after_days, not yet overdue)."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "monitoring_due_soon", 3
    started_days_ago = (300, 2000)
    expected = ("MONITORING_DUE_SOON",)
    group = "monitoring"

    def details(self, p, plan):
        plan.monitoring = {"final": p.A - p.r.randint(p.params["due_soon_after_days"] + 2,
                                                      p.params["maintenance_max_gap_days"] - 2)}
