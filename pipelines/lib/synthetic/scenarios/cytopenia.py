"""A low white cell, neutrophil, lymphocyte or platelet count on treatment; half not repeated in time."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "cytopenia", 3
    started_days_ago = (200, 2000)
    expected = ("CYTOPENIA_ON_TREATMENT",)
    group = "toxicity"
    abnormal_may_not_repeat = True

    def details(self, p, plan):
        plan.toxic_in = p.r.choice(("WBC", "NEUT", "LYMPH", "LYMPH", "PLT"))
