"""On azathioprine and monitored as the guidance says; a few were transfused before their TPMT test, a few
started allopurinol without cutting the dose."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "well_managed_active", 14
    started_days_ago = (14, 2000)
    noisy = True
    cancelled_rows = True

    def on_tpmt_before(self, p, plan, tpmt_day):
        r = p.r
        if plan.tpmt_phenotype == "normal" and r.random() < 0.08:
            # transfused (after a bleed) in the weeks before the test: the normal result may be donor cells
            p.event(tpmt_day - r.randint(5, p.params["transfusion_tpmt_days"] - 5),
                    "blood_transfusion", "", "Red cell transfusion, 2 units")
            p.expected.append("TPMT_AFTER_TRANSFUSION")

    def extras(self, p, plan, eps):
        r, A = p.r, p.A
        init = eps[0][0]
        # gout: allopurinol started during treatment without cutting the azathioprine dose (XOI_COPRESCRIBED)
        if r.random() < 0.06 and A - init > 120:
            p.drug(r.randint(init + 60, A - 30), r.choice(["Allopurinol 100mg tablets", "allopurinol 300 mg oral tablet",
                                                            "Zyloric 100mg"]), "", 28, 28)
            p.expected.append("XOI_COPRESCRIBED")
        elif r.random() < 0.08:  # gout treated and stopped before azathioprine
            p.drug(init - r.randint(200, 400), "Allopurinol 100mg tablets", "", 28, 28)
