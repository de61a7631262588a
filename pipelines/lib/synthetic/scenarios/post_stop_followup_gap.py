"""Stopped after a long course; follow-up visits stop leaving a gap past the post-stop limit."""

from __future__ import annotations

from .base import Scenario, stopped_after_long_course


class Builder(Scenario):
    name, share = "post_stop_followup_gap", 3
    expected = ("POST_STOP_FOLLOWUP_GAP",)
    group = "monitoring"
    min_first_episode_days = True
    stopped_before_as_of = True

    def timeline(self, p, plan):
        return stopped_after_long_course(p, plan)

    def details(self, p, plan):
        plan.post_stop_gap = True
