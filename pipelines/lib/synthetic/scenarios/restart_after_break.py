"""Two episodes: paused (pregnancy planning) for longer than the episode gap, then restarted."""

from __future__ import annotations

from .base import Scenario


class Builder(Scenario):
    name, share = "restart_after_break", 4
    episodes_expected = 2
    min_first_episode_days = True

    def timeline(self, p, plan):
        plan.start = p.A - p.r.randint(1500, 2400)
        plan.episodes = [(plan.start, plan.start + p.r.randint(700, 1000)), "break"]

    def episodes(self, p, plan):
        r, A, S = p.r, p.A, plan.start
        rx1 = p.course(S, plan.episodes[0][1], plan.dose)
        e1 = max(s + d - 1 for s, d, _ in rx1)
        S2 = e1 + r.randint(120, 400)
        if S2 > A - 30:
            return False
        rx2 = p.course(S2, A, p.std_dose())
        p.emit_course(rx1)
        p.emit_course(rx2)
        for a, lim in ((S, e1), (S2, A)):
            for d in p.monitoring(a, lim):
                plan.panels.append((d, d >= a))
        p.visits(S - 90, A)
        p.event(e1 + r.randint(-20, 20), "clinic_visit", "", "Azathioprine paused: pregnancy planning")
        return None
