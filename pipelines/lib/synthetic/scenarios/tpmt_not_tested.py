"""Started with no TPMT result ever."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "tpmt_not_tested", 4
    started_days_ago = (14, 2000)
    expected = ("TPMT_NOT_TESTED",)
    group = "tpmt"

    def details(self, p, plan):
        plan.tpmt_when = None
