"""Stopped early because of an abnormal result (a reason to stop): flagged for the toxicity only."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "early_stop_toxicity", 2
    group = "toxicity"  # expected set per patient: cytopenia or liver toxicity
    stopped_before_as_of = True
    stops_for_toxicity = True
    stop_reasons = ("Azathioprine stopped: abnormal bloods",)

    def timeline(self, p, plan):
        plan.start = p.A - p.r.randint(300, 2000)
        plan.episodes = [(plan.start, plan.start + p.r.randint(60, 300))]
        plan.toxic_in = p.r.choice(("WBC", "NEUT", "LYMPH", "PLT", "ALT", "ALT", "AST"))
