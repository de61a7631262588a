"""Died during a running supply (monitoring stops with death; not flagged for it)."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "died_on_treatment", 2
    started_days_ago = (1000, 2000)
    noisy = True
    dies_on_treatment = True
    min_first_episode_days = True

    def provisional_end(self, p, plan):
        plan.until = p.A - p.r.randint(100, 700)  # provisional; death is set inside a running supply
