"""On treatment, the last bloods longer ago than the maintenance interval allows."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "monitoring_overdue", 4
    started_days_ago = (300, 2000)
    expected = ("MONITORING_OVERDUE",)
    group = "monitoring"

    def details(self, p, plan):
        gap = p.params["maintenance_max_gap_days"]
        plan.monitoring = {"final": p.A - p.r.randint(gap + 8, gap + 168)}
