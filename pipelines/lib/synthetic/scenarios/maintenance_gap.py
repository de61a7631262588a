"""One maintenance gap longer than the profile's maximum."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "maintenance_gap", 4
    started_days_ago = (900, 2000)
    expected = ("MAINTENANCE_MONITORING_GAP",)
    group = "monitoring"

    def details(self, p, plan):
        plan.monitoring = {"long_gap_at": p.r.randint(0, 3)}
