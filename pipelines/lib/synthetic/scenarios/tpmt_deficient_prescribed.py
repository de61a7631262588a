"""TPMT deficient and prescribed azathioprine anyway (low dose)."""

from __future__ import annotations

from .base import Scenario

class Builder(Scenario):
    name, share = "tpmt_deficient_prescribed", 1
    expected = ("TPMT_DEFICIENT_PRESCRIBED",)
    group = "tpmt"

    def timeline(self, p, plan):
        plan.start = p.A - p.r.randint(14, 2000)
        plan.episodes = [(plan.start, None)]

    def details(self, p, plan):
        plan.tpmt_phenotype = "deficient"
        plan.dose = p.std_dose(start_mgkg=0.4, target_mgkg=p.r.uniform(0.5, 1.0), cap=75)
