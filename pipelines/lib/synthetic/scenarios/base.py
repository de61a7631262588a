"""The course every treated scenario follows, with the places a scenario changes it.

A scenario is one module of this package with one `Scenario` subclass: its share of the registry, the rules it
is built to trigger, its site-quality group, and the steps it changes. `Scenario.build(p)` runs, in this order
(the order of the random draws, so that a seed always gives the same registry):

1. `demographics` (sex, course, weight, lymphocytes), the standard dose, a stopping time;
2. `timeline(p, plan)`: the first day and the episodes planned (`plan.start`, `plan.episodes`);
3. `details(p, plan)`: what the scenario changes (TPMT, dose, monitoring lapses, weights, ...);
4. incidental lapses of real practice (`noisy` scenarios with no planned lapse), the birth date, the weights;
5. `episodes(p, plan)`: the prescriptions and the blood panels (default: one episode; two for a restart;
   an infection in the middle for the infection scenarios);
6. the guards: a draw that missed the scenario's target (a cumulative band, an episode length) is redrawn;
   `cumulative_ok` and the attributes below say what the target is, in the default profile's numbers;
7. TPMT, co-prescriptions (`extras`), DMT history, the bloods written, cancelled rows, relapses, other drugs.

Every threshold comes from the default profile (`p.params`): a scenario aims inside or outside a rule's limit
by a margin, never at a number of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

from ..catalogue import CONTRAINDICATIONS, INFECTIONS


@dataclass
class Plan:
    """What a treated scenario decided before the records are written."""

    dose: Callable[[int, int], int]
    long_stop: int
    start: int = 0
    episodes: Any = None  # [(start, stop or None)], "break" for a second episode, or None (set by details)
    tpmt_phenotype: str = "normal"
    tpmt_when: str | None = "before"  # "before", "late" or None (never tested)
    dmt: str | None = "history"  # "history", "contraindicated" or None
    monitoring: dict = field(default_factory=dict)  # lapses: skip_week, long_gap_at, final, baseline, ...
    weights: str = "yearly"  # "yearly", "none", "after", "old"
    toxic_in: str | None = None
    post_stop_gap: bool = False
    high_dose_from: tuple | None = None  # ("first" | "later", mg/kg)
    until: int = 0
    # filled by the episodes
    panels: list = field(default_factory=list)  # (day, on treatment)
    tox_date: int | None = None
    no_repeat: bool = False


class Scenario:
    name: ClassVar[str]
    share: ClassVar[int]  # patients per 100
    expected: ClassVar[tuple[str, ...]] = ()  # rules it is built to trigger under the default profile
    group: ClassVar[str] = ""  # the site-quality factor that makes it more or less common at a clinic
    noisy: ClassVar[bool] = False  # may carry incidental monitoring / TPMT / weight lapses (not expected)
    # the default timeline: one episode, ongoing, started this many days before as-of (lowest, highest)
    started_days_ago: ClassVar[tuple[int, int] | None] = None
    # the guards
    episodes_expected: ClassVar[int | None] = 1
    min_first_episode_days: ClassVar[bool] = False  # the first episode lasts past min_treatment_days
    stopped_before_as_of: ClassVar[bool] = False  # the last episode ended more than an episode gap ago
    over_max_dose: ClassVar[bool] = False  # some regimen above max_mg_per_kg_day (else none)
    # the default episode
    dies_on_treatment: ClassVar[bool] = False
    abnormal_may_not_repeat: ClassVar[bool] = False  # half the time the abnormal result is not repeated
    stops_for_toxicity: ClassVar[bool] = False
    stop_reasons: ClassVar[tuple[str, ...]] = ("Azathioprine stopped: stable disease",
                                               "Azathioprine stopped: switched to ocrelizumab")
    treats_relapse: ClassVar[bool] = False  # a relapse after stopping is treated within weeks
    cancelled_rows: ClassVar[bool] = False  # some cancelled / entered-in-error rows (no exposure)

    # ------------------------------------------------------------------ the course
    def build(self, p) -> bool:
        r, A = p.r, p.A
        self.demographics(p)
        plan = Plan(dose=p.std_dose(), long_stop=0)
        plan.long_stop = r.randint(700, 1500)
        if self.timeline(p, plan) is False:
            return False
        self.details(p, plan)
        if self.noisy and not plan.monitoring:
            self.lapses(p, plan)
        S = plan.start
        p.birth = S - r.randint(22 * 365, 58 * 365)
        self.birth(p, plan)
        plan.until = A
        self.provisional_end(p, plan)
        if plan.weights == "yearly":
            p.weights_between(S - r.randint(0, 90), plan.until)
        elif plan.weights == "after":
            p.weights_between(S + r.randint(20, 200), plan.until)
        elif plan.weights == "old":
            p.weight_rec(S - r.randint(400, 900))
        if plan.high_dose_from and self.high_dose(p, plan) is False:
            return False
        if self.episodes(p, plan) is False:
            return False
        if not self.guards(p, plan):
            return False
        eps = p.episodes()
        self.tpmt(p, plan, eps)
        self.extras(p, plan, eps)
        if plan.dmt == "history":
            p.dmt_history(eps[0][0])
        elif plan.dmt == "contraindicated":
            p.event(eps[0][0] - r.randint(30, 400), "dmt_contraindication", "", r.choice(CONTRAINDICATIONS))
        self.write_bloods(p, plan)
        if self.cancelled_rows and len(p.aza) > 3 and r.random() < 0.12:
            s, days, daily, _ = p.aza[r.randint(1, len(p.aza) - 1)]
            if r.random() < 0.5:
                p.aza_row(s, days, daily, status="cancelled", exposure=False)
            else:
                p.aza_row(s, days, daily * 10, status="entered-in-error", exposure=False)
        lo = eps[0][0] - 400
        hi = min(A, p.death) if p.death else A
        p.relapses(lo, hi)
        p.other_drugs(lo, hi)
        if p.death:
            p.events = [e for e in p.events if e[0] <= p.death]
            p.labs = [x for x in p.labs if x[0] <= p.death]
        return True

    @staticmethod
    def demographics(p) -> None:
        r = p.r
        p.sex = r.choices(("F", "M", "Female", "Male", ""), weights=(60, 28, 6, 3, 1))[0] \
            if p.style == "local" else r.choices(("F", "M"), weights=(70, 30))[0]
        p.ms_course = r.choices(("RRMS", "SPMS", "PPMS", "CIS", ""), weights=(72, 17, 5, 4, 2))[0]
        female = p.sex.startswith("F")
        p.kg0 = r.uniform(50, 92) if female else r.uniform(60, 105)
        p.lymph0 = r.uniform(1.3, 2.9)

    # ------------------------------------------------------------------ what a scenario changes
    def timeline(self, p, plan: Plan) -> bool | None:
        """Set plan.start and plan.episodes; False when this draw cannot make the scenario. By default one
        ongoing episode that started `started_days_ago` before as-of."""
        if self.started_days_ago is None:
            raise NotImplementedError(f"{self.name}: set started_days_ago or write a timeline")
        lo, hi = self.started_days_ago
        plan.start = p.A - p.r.randint(lo, hi)
        plan.episodes = [(plan.start, None)]
        return None

    def details(self, p, plan: Plan) -> None:
        """What the scenario changes in TPMT, dose, monitoring, weights, ..."""

    def birth(self, p, plan: Plan) -> None:
        """A second draw of the birth date, for a scenario that needs an older or younger patient."""

    def provisional_end(self, p, plan: Plan) -> None:
        """plan.until: the last day records are written (a death sets it later)."""

    def cumulative_ok(self, p, cumulative_mg: float, days_on: int) -> bool:
        """Most scenarios stay clear of the cumulative-dose and duration rules."""
        q = p.params
        return cumulative_mg < q["cumulative_approaching_mg"] - 10000 and days_on < q["duration_limit_days"] - 52

    def extra_guard(self, p, plan: Plan, eps: list) -> bool:
        return True

    def on_tpmt_before(self, p, plan: Plan, tpmt_day: int) -> None:
        """After a TPMT result before the first dose (a transfusion before it, for one scenario)."""

    def after_tpmt(self, p, plan: Plan, eps: list) -> None:
        """After the TPMT step (a later TPMT result, for one scenario)."""

    def extras(self, p, plan: Plan, eps: list) -> None:
        """Co-prescriptions and other records of the scenario, before the DMT history."""

    # ------------------------------------------------------------------ shared steps
    def lapses(self, p, plan: Plan) -> None:
        """Incidental lapses of real practice, more at some clinics, where no rule is promised."""
        r = p.r
        fm = p.quality.get("monitoring", 1.0)
        ft = p.quality.get("tpmt", 1.0)
        x = r.random()
        if x < 0.07 * fm:
            plan.monitoring = {"skip_week": r.randint(1, 4)}
        elif x < 0.11 * fm:
            plan.monitoring = {"long_gap_at": r.randint(0, 6)}
        elif x < 0.15 * fm:
            plan.monitoring = {"baseline": False, "week1_min": 1, "old_baseline": True}
        x = r.random()
        if x < 0.03 * ft:
            plan.tpmt_when = "late"
        elif x < 0.05 * ft:
            plan.tpmt_when = None
        if r.random() < 0.03:
            plan.weights = "after"

    def high_dose(self, p, plan: Plan) -> bool | None:
        """Doses above a limit: from the first regimen (TPMT intermediate) or after a few (above the maximum)."""
        r, S = p.r, plan.start
        which, mgkg = plan.high_dose_from
        q = p.params
        if which == "first":
            w0 = p.weight_at(S)
            if w0 is None:
                return False
            d_first = max(25, -(-int(w0 * mgkg) // 25) * 25)
            if d_first / w0 <= q["tpmt_intermediate_max_mg_per_kg"] + 0.05 \
                    or d_first / w0 >= q["max_mg_per_kg_day"] - 0.05:
                return False
            if d_first / w0 > q["start_max_mg_per_kg_day"] + 0.05:
                p.expected.append("STARTING_DOSE_HIGH")
            base = p.std_dose()

            def dose(i, s, d_first=d_first, base=base):
                return d_first if i == 0 else max(d_first, base(i, s))
        else:
            base = p.std_dose()
            k_high = r.randint(2, 5)
            kg = p.kg0

            def dose(i, s, base=base, k_high=k_high, kg=kg):
                if i < k_high:
                    return base(i, s)
                w = p.weight_at(s) or kg
                return -(-int(w * mgkg) // 25) * 25
        plan.dose = dose
        return None

    def episodes(self, p, plan: Plan) -> bool | None:
        """One episode as planned: prescriptions, monitoring, an abnormal result where the scenario has one,
        and, when it stopped, the reason, the follow-up, perhaps a relapse."""
        r, A = p.r, p.A
        q = p.params
        S0, stop = plan.episodes[0]
        active = stop is None
        if self.dies_on_treatment:
            stop = plan.until
        rxs = p.course(S0, A if active and not self.dies_on_treatment else stop, plan.dose)
        if self.dies_on_treatment:
            last = rxs[-1]
            p.death = last[0] + r.randint(1, last[1] - 2)
            if p.death > A - 20:
                return False
            plan.until = p.death
        end = max(s + d - 1 for s, d, _ in rxs)
        p.emit_course(rxs)
        limit = plan.until if (active or self.dies_on_treatment) else end
        mon_kw = {k: v for k, v in plan.monitoring.items() if k != "old_baseline"}
        dates = p.monitoring(S0, limit, **mon_kw)
        if plan.monitoring.get("old_baseline"):
            dates.append(S0 - r.randint(35, 90))
        for d in dates:
            plan.panels.append((d, d >= S0))
        if plan.toxic_in:
            cand = [d for d in dates if S0 + 21 <= d <= min(end, A) - 1]
            if not cand:
                cand = [d for d in dates if S0 <= d <= min(end, A)]
            if not cand:
                return False
            plan.tox_date = r.choice(cand)
            # half the clinics' abnormal counts are not repeated within the days the profile allows and
            # treatment goes on (ABNORMAL_RESULT_NOT_REPEATED); the others are repeated a week later
            repeat_days = q["abnormal_repeat_days"]
            if self.abnormal_may_not_repeat and r.random() < 0.5 and plan.tox_date + 2 * repeat_days < min(end, A):
                plan.panels = [(d, on) for d, on in plan.panels if not plan.tox_date < d <= plan.tox_date + repeat_days]
                p.expected.append("ABNORMAL_RESULT_NOT_REPEATED")
                plan.no_repeat = True
            if self.stops_for_toxicity:
                plan.tox_date = max(cand)
                p.expected = ["LIVER_TOXICITY_ON_TREATMENT" if plan.toxic_in in ("ALT", "AST")
                              else "CYTOPENIA_ON_TREATMENT"]
        p.visits(S0 - 90, min(end, plan.until))
        if not active and not self.dies_on_treatment:
            self.stopped(p, plan, end)
        return None

    def stopped(self, p, plan: Plan, end: int) -> None:
        """After a stop: the reason, the follow-up visits, perhaps a relapse and what was done about it."""
        r, A = p.r, p.A
        q = p.params
        why_txt = r.choice(list(self.stop_reasons))
        p.event(end - r.randint(0, 20), "clinic_visit", "", why_txt)
        if plan.post_stop_gap:
            cut = end + r.choice((r.randint(0, 60), r.randint(100, 300), r.randint(400, 900)))
            vis = p.post_stop_visits(end, A, cut)
            while True:  # the last visit leaves a gap past the rule's limit before as-of
                last = vis[-1] if vis else end
                gap = q["post_stop_gap_first_year_days"] if last < end + q["post_stop_first_year_days"] \
                    else q["post_stop_gap_later_days"]
                if A - last > gap + 10:
                    break
                vis.pop()
        else:
            vis = p.post_stop_visits(end, A)
        for v in vis:
            p.event(v, "clinic_visit", "", r.choice(["Neurology follow-up", "MS nurse review",
                                                     "Telephone review", "Neurology clinic review"]))
        relapse_day = None
        if r.random() < 0.5 and end + 30 < A:
            relapse_day = min(A, end + r.randint(30, 365))
            p.event(relapse_day, "relapse", "G35", "Relapse after stopping azathioprine")
        if "ocrelizumab" in why_txt or r.random() < 0.1:
            s = end + r.randint(30, 120)
            while s <= A:
                p.drug(s, "Ocrevus 300mg/10ml infusion (ocrelizumab)", "", 1, 1)
                s += 182
        elif relapse_day is not None and self.treats_relapse:
            # a well-managed relapse: a disease-modifying therapy started within weeks (when it falls before
            # as-of; a relapse this recent is not judged yet)
            if relapse_day + 60 < A:
                p.drug(relapse_day + r.randint(7, 60), "Ocrevus 300mg/10ml infusion (ocrelizumab)", "", 1, 1)
        elif relapse_day is not None and relapse_day <= A - q["relapse_restart_days"]:
            p.expected.append("RELAPSE_AFTER_STOP_UNTREATED")  # nothing restarted after it

    def guards(self, p, plan: Plan) -> bool:
        """Whether this draw made what the scenario promises (no random draw here)."""
        q = p.params
        A = p.A
        eps = p.episodes()
        if not self.cumulative_ok(p, p.cumulative_mg(), p.treatment_days()):
            return False
        if self.episodes_expected is not None and len(eps) != self.episodes_expected:
            return False
        if self.min_first_episode_days and eps[0][1] - eps[0][0] + 1 < q["min_treatment_days"] + 12:
            return False
        if self.stopped_before_as_of and not eps[-1][1] + q["episode_gap_days"] < A - 5:
            return False
        if self.over_max_dose or plan.high_dose_from is None:
            # doses against the weight the audit will use
            limit = q["max_mg_per_kg_day"] + (0.05 if self.over_max_dose else 0.0)
            over = False
            for s, _d, dd, _t in p.aza:
                w = p.weight_at(s)
                if w is not None and dd / w > limit:
                    over = True
            if over != self.over_max_dose:
                return False
        return self.extra_guard(p, plan, eps)

    def tpmt(self, p, plan: Plan, eps: list) -> None:
        r = p.r
        init = eps[0][0]
        if plan.tpmt_when == "before":
            if r.random() < 0.03 and plan.tpmt_phenotype == "normal":
                p.tpmt(init - r.randint(7, 120), "unclassified")
            else:
                tpmt_day = init - r.randint(0, 120)
                p.tpmt(tpmt_day, plan.tpmt_phenotype)
                self.on_tpmt_before(p, plan, tpmt_day)
        elif plan.tpmt_when == "late":
            p.tpmt(init + r.randint(7, 100), plan.tpmt_phenotype)
        self.after_tpmt(p, plan, eps)

    @staticmethod
    def write_bloods(p, plan: Plan) -> None:
        r, A = p.r, p.A
        for d, on in plan.panels:
            if d > A or (p.death and d > p.death):
                continue
            p.bloods(d, on, plan.toxic_in if d == plan.tox_date else None)
        if plan.tox_date is not None and not plan.no_repeat:
            # the repeat a week later, recovering on a lower dose or off treatment
            rep = plan.tox_date + r.randint(5, 9)
            if rep <= A and not any(d == rep for d, _ in plan.panels):
                p.bloods(rep, True)


def infection_episode(p, plan: Plan, restart: bool) -> bool | None:
    """An infection inside the supply of a prescription at least 600 days into the course; treatment goes on
    within days (restart: INFECTION_ON_TREATMENT) or is held until it resolves."""
    r, A = p.r, p.A
    S = plan.start
    rx1 = p.course(S, A - r.randint(60, 400), plan.dose)
    cands = [x for x in rx1 if x[0] >= S + 600 and x[1] >= 28]
    if not cands:
        return False
    pr = r.choice(cands)
    D = pr[0] + r.randint(3, pr[1] - 3)
    rx1 = [x for x in rx1 if x[0] <= pr[0]]
    # the infections in turn, so that even a small registry has sepsis and serious infections
    typ, code, desc = INFECTIONS[p.g.infections_seen % len(INFECTIONS)]
    p.g.infections_seen += 1
    p.event(D, typ, code, desc)
    p.emit_course(rx1)
    for d in p.monitoring(S, D - 1):
        plan.panels.append((d, True))
    plan.panels.append((D, True))
    plan.panels.append((D + r.randint(5, 9), True))
    if restart:
        R = D + r.randint(5, 28)
        p.emit_course(p.course(R, A, lambda i, s, dd=rx1[-1][2]: dd))
        for d in p.maintenance(D + 9, A):
            plan.panels.append((d, True))
    else:
        R = D + r.randint(40, 80)
        p.emit_course(p.course(R, A, p.std_dose()))
        for d in p.monitoring(R, A, baseline=False):
            plan.panels.append((d, True))
        plan.panels.append((R - r.randint(0, 14), False))
        p.event(D + r.randint(14, 35), "clinic_visit", "", "Azathioprine held until infection resolved")
    p.visits(S - 90, A)
    return None


def stopped_after_long_course(p, plan: Plan) -> bool | None:
    """A course of plan.long_stop days (at least 700) that ended at least 250 days before as-of."""
    plan.start = p.A - p.r.randint(1000, 2600)
    plan.episodes = [(plan.start, min(plan.start + plan.long_stop, p.A - 250))]
    if plan.episodes[0][1] - plan.start < 700:
        return False
    return None
