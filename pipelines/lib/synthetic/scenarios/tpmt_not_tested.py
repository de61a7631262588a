"""Started with no TPMT result ever."""

from __future__ import annotations

from .base import Scenario

class Builder(Scenario):
    name, share = "tpmt_not_tested", 4
    expected = ("TPMT_NOT_TESTED",)
    group = "tpmt"

    def timeline(self, p, plan):
        plan.start = p.A - p.r.randint(14, 2000)
        plan.episodes = [(plan.start, None)]

    def details(self, p, plan):
        plan.tpmt_when = None
