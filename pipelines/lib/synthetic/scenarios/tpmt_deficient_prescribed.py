"""TPMT deficient and prescribed azathioprine anyway (low dose)."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "tpmt_deficient_prescribed", 1
    started_days_ago = (14, 2000)
    expected = ("TPMT_DEFICIENT_PRESCRIBED",)
    group = "tpmt"

    def details(self, p, plan):
        plan.tpmt_phenotype = "deficient"
        plan.dose = p.std_dose(start_mgkg=0.4, target_mgkg=p.r.uniform(0.5, 1.0), cap=75)
