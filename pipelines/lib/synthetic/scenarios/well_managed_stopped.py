"""Treated well, stopped after a long course, followed up; a relapse after stopping is treated within weeks;
a later genotype may show TPMT deficiency (never prescribed since)."""

from __future__ import annotations

from .base import Scenario, stopped_after_long_course


class Builder(Scenario):
    name, share = "well_managed_stopped", 6
    noisy = True
    cancelled_rows = True
    treats_relapse = True
    min_first_episode_days = True
    stopped_before_as_of = True

    def timeline(self, p, plan):
        return stopped_after_long_course(p, plan)

    def after_tpmt(self, p, plan, eps):
        r, A = p.r, p.A
        if r.random() < 0.15 and eps[-1][1] + p.params["episode_gap_days"] < A:
            p.tpmt(r.randint(eps[-1][1] + 30, A - 1), "deficient")
