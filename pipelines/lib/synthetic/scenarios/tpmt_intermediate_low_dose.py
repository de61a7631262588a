"""TPMT intermediate, started and kept on a reduced dose (as the guidance says)."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "tpmt_intermediate_low_dose", 3
    started_days_ago = (14, 2000)
    noisy = True

    def details(self, p, plan):
        plan.tpmt_phenotype = "intermediate"
        plan.dose = p.std_dose(start_mgkg=0.6, target_mgkg=p.r.uniform(1.0, 1.5), cap=125)
