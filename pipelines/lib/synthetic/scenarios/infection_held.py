"""A serious infection on treatment; azathioprine held until it resolved, then restarted (not flagged)."""

from __future__ import annotations

from .base import Scenario, infection_episode


class Builder(Scenario):
    name, share = "infection_held", 2
    started_days_ago = (1000, 2000)
    episodes_expected = None
    min_first_episode_days = True

    def episodes(self, p, plan):
        return infection_episode(p, plan, restart=False)
