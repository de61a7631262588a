"""Azathioprine first, with no preferred DMT before it and no contraindication recorded."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "no_prior_dmt", 4
    started_days_ago = (14, 2000)
    expected = ("NO_PRIOR_DMT",)

    def details(self, p, plan):
        plan.dmt = None
