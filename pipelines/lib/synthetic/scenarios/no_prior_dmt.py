"""Azathioprine first, with no preferred DMT before it and no contraindication recorded."""

from __future__ import annotations

from .base import Scenario

class Builder(Scenario):
    name, share = "no_prior_dmt", 4
    expected = ("NO_PRIOR_DMT",)

    def timeline(self, p, plan):
        plan.start = p.A - p.r.randint(14, 2000)
        plan.episodes = [(plan.start, None)]

    def details(self, p, plan):
        plan.dmt = None
