"""A serious infection on treatment, azathioprine restarted within the infection window."""

from __future__ import annotations

from .base import Scenario, infection_episode


class Builder(Scenario):
    name, share = "infection_restart", 2
    started_days_ago = (1000, 2000)
    expected = ("INFECTION_ON_TREATMENT",)
    group = "toxicity"

    def episodes(self, p, plan):
        return infection_episode(p, plan, restart=True)
