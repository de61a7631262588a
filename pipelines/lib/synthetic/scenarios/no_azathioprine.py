"""MS patients never on azathioprine: DMT history, visits, relapses, other drugs."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "no_azathioprine", 4

    def build(self, p) -> bool:
        r, A = p.r, p.A
        self.demographics(p)
        p.birth = A - r.randint(22 * 365, 75 * 365)
        first = A - r.randint(200, 3000)
        p.dmt_history(first + r.randint(100, 400))
        p.visits(first, A, 120, 300)
        p.relapses(first, A)
        p.other_drugs(first, A)
        if r.random() < 0.3:
            p.weights_between(first, A)
        if r.random() < 0.04:
            p.death = A - r.randint(10, 300)
            p.events = [e for e in p.events if e[0] <= p.death]
            p.rx = [x for x in p.rx if x[0] <= p.death]
            p.labs = [x for x in p.labs if x[0] <= p.death]
        return True
