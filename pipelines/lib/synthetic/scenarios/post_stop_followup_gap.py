"""Stopped after a long course; follow-up visits stop leaving a gap past the post-stop limit."""

from __future__ import annotations

from .base import Scenario

class Builder(Scenario):
    name, share = "post_stop_followup_gap", 3
    expected = ("POST_STOP_FOLLOWUP_GAP",)
    group = "monitoring"
    min_first_episode_days = True
    stopped_before_as_of = True

    def timeline(self, p, plan):
        plan.start = p.A - p.r.randint(1000, 2600)
        plan.episodes = [(plan.start, min(plan.start + plan.long_stop, p.A - 250))]
        if plan.episodes[0][1] - plan.start < 700:
            return False

    def details(self, p, plan):
        plan.post_stop_gap = True
