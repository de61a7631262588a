"""No preferred DMT before azathioprine, with a documented contraindication (not flagged)."""

from __future__ import annotations

from .base import Scenario

class Builder(Scenario):
    name, share = "dmt_contraindicated", 3
    noisy = True

    def timeline(self, p, plan):
        plan.start = p.A - p.r.randint(14, 2000)
        plan.episodes = [(plan.start, None)]

    def details(self, p, plan):
        plan.dmt = "contraindicated"
