"""TPMT intermediate with a first regimen above the profile's intermediate maximum (some also above the
usual starting dose: STARTING_DOSE_HIGH)."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "tpmt_intermediate_high_dose", 2
    started_days_ago = (14, 2000)
    expected = ("TPMT_INTERMEDIATE_HIGH_DOSE",)
    group = "tpmt"

    def details(self, p, plan):
        plan.tpmt_phenotype = "intermediate"
        plan.high_dose_from = ("first", p.r.choice((1.85, 2.3)))  # 2.3: also above the usual starting dose

    def extra_guard(self, p, plan, eps):
        w = p.weight_at(eps[0][0])
        first = min(p.aza)
        return w is not None and first[2] / w > p.params["tpmt_intermediate_max_mg_per_kg"] + 0.05
