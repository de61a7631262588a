"""No preferred DMT before azathioprine, with a documented contraindication (not flagged)."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "dmt_contraindicated", 3
    started_days_ago = (14, 2000)
    noisy = True

    def details(self, p, plan):
        plan.dmt = "contraindicated"
