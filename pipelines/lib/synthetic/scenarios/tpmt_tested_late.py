"""TPMT tested only after the first dose."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "tpmt_tested_late", 4
    started_days_ago = (14, 2000)
    expected = ("TPMT_TESTED_LATE",)
    group = "tpmt"

    def details(self, p, plan):
        plan.tpmt_when = "late"
        plan.start = p.A - p.r.randint(120, 2000)
        plan.episodes = [(plan.start, None)]
