"""A high ALT or AST on treatment; half not repeated in time."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "liver_toxicity", 2
    started_days_ago = (200, 2000)
    expected = ("LIVER_TOXICITY_ON_TREATMENT",)
    group = "toxicity"
    abnormal_may_not_repeat = True

    def details(self, p, plan):
        plan.toxic_in = p.r.choice(("ALT", "ALT", "AST"))
