"""No weight in the year before a prescription (none, only after, or only an old one)."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "weight_missing", 4
    started_days_ago = (14, 2000)
    expected = ("WEIGHT_MISSING",)
    group = "dose"

    def details(self, p, plan):
        plan.weights = p.r.choice(("none", "after", "old"))
