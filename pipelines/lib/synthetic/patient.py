"""One synthetic patient: the records built in memory (a few hundred rows at most), and the helpers every
scenario builds with (labs, bloods, weights, TPMT, prescriptions, courses, monitoring, visits), with the
exposure arithmetic of RULES.md the scenarios check themselves against."""

from __future__ import annotations

from datetime import date

from .catalogue import (AZA_CODE_P, AZA_CODES, AZA_NAMES, COUNT_UNITS, DMTS, LABS, OTHER_DRUGS, TOXIC, TPMT_MU,
                        TPMT_NMOL, TPMT_TEXT, UNCERTAIN_OK)
from .scenarios import SCENARIOS


def iso(o: int) -> str:
    return date.fromordinal(o).isoformat()


class Patient:
    """One patient's records, built in memory (a few hundred rows at most), then written."""

    def __init__(self, g, pid: str, site: tuple, scen: str):
        self.g = g
        self.r = g.rng
        self.A = g.A
        self.pid = pid
        self.site_id, _, self.style, self.quality = site
        self.scen = scen
        self.expected: list[str] = list(SCENARIOS[scen][1])
        self.params = g.params  # the default profile: the thresholds the scenarios are built around
        self.rx: list[list] = []  # [sort_key, drug_name, code, start, end, days, strength, s_unit, qty, dd, dd_unit, status]
        self.labs: list[list] = []  # [sort_key, code, name, collected_at, value, unit, ref_low, ref_high]
        self.events: list[list] = []  # [date_ord, type, code, description]
        self.weights: list[tuple[int, float]] = []  # (date, kg as the audit will read it)
        self.aza: list[tuple[int, int, int, float]] = []  # exposure: (start, days, daily, total_mg)
        self.death: int | None = None
        self._ts: dict[int, str] = {}
        self._fmts: dict[tuple, tuple] = {}

    # ---------------------------------------------------------------- helpers
    def lab(self, d: int, code: str, name: str, value: str, unit: str, lo: str = "", hi: str = ""):
        ts = self._ts.get(d)
        if ts is None:  # one collection time per day: a panel's results share it
            r = self.r
            ts = iso(d)
            if self.style == "us":
                ts += "T%02d:%02d:00" % (r.randint(7, 17), r.randint(0, 59))
            elif self.style == "uk" and r.random() < 0.7:
                ts += " %02d:%02d" % (r.randint(8, 16), r.randint(0, 59))
            self._ts[d] = ts
        self.labs.append([d, code, name, ts, value, unit, lo, hi])

    def _fmt(self, a: str, safe: bool) -> tuple:
        """How this patient's lab reports analyte a: (code, name, unit, scale, decimals, ref_low, ref_high)."""
        key = (a, safe)
        f = self._fmts.get(key)
        if f is not None:
            return f
        r = self.r
        loinc, names, kind, lo, hi = LABS[a]
        # a value a scenario depends on always carries its LOINC code as well as the local name
        coded = safe or self.style != "local" or r.random() < 0.15
        code = loinc if coded else ""
        name = r.choice(names) if (not coded or r.random() < 0.8) else ""
        scale, dec = 1.0, 0
        if kind == "count":
            unit = r.choice(COUNT_UNITS[self.style])
            dec = 0 if a == "PLT" else 2
            if unit == "cells/uL":
                scale, dec = 1000.0, 0
        elif kind == "pct":
            unit, dec = "%", 1
        elif kind == "enzyme":
            unit = "IU/L" if self.style == "local" or r.random() < 0.3 else "U/L"
        elif kind == "hb":
            unit, scale, dec = ("g/dL", 0.1, 1) if self.style == "us" else ("g/L", 1.0, 0)
        elif kind == "bili":
            unit, scale, dec = ("mg/dL", 1 / 17.1, 1) if self.style == "us" else ("umol/L", 1.0, 0)
        else:
            unit, scale, dec = ("g/dL", 0.1, 1) if self.style == "us" else ("g/L", 1.0, 0)
        if self.style != "us" or r.random() < 0.5:
            rd = 1 if (kind == "count" and dec == 2) else dec
            slo, shi = "%.*f" % (rd, lo * scale), "%.*f" % (rd, hi * scale)
        else:
            slo = shi = ""
        f = (code, name, unit, scale, dec, slo, shi)
        self._fmts[key] = f
        return f

    def analyte(self, d: int, a: str, value: float | None = None, safe: bool = False):
        """One analyte result; value in canonical units (10^9/L, U/L, g/L ...)."""
        code, name, unit, scale, dec, slo, shi = self._fmt(a, safe)
        if value is None:
            lo, hi = LABS[a][3], LABS[a][4]
            value = self.r.uniform(lo + (hi - lo) * 0.1, hi - (hi - lo) * 0.2)
        if not safe and unit in UNCERTAIN_OK and self.r.random() < 0.004:
            unit = "mmol/L"  # an uninterpretable unit on a count
        self.lab(d, code, name, "%.*f" % (dec, value * scale), unit, slo, shi)

    def bloods(self, d: int, on_treatment: bool, toxic: str | None = None):
        """A CBC and an LFT panel on day d."""
        r = self.r
        if self.style == "local" and r.random() < 0.05 and toxic in (None, "ALT", "AST"):
            # some labs send the panel header only
            self.lab(d, "", r.choice(["FBC", "Full blood count"]), "Reported", "")
        else:
            wbc = r.uniform(4.3, 9.0) if not on_treatment else r.uniform(3.9, 7.5)
            lymph = self.lymph0 if not on_treatment else max(0.65, self.lymph0 * r.uniform(0.45, 0.85))
            neut = max(2.0, wbc - lymph - r.uniform(0.3, 0.8))
            vals = {"WBC": wbc, "NEUT": neut, "LYMPH": lymph, "PLT": r.uniform(165, 380)}
            if toxic in vals:
                lo, hi = TOXIC[toxic]
                vals[toxic] = r.uniform(lo, hi)
                if toxic == "WBC":
                    vals["NEUT"] = min(vals["NEUT"], vals["WBC"] * 0.55)
            for a, v in vals.items():
                if toxic is not None and a == toxic:
                    self.analyte(d, a, v, safe=True)
                elif a == "NEUT" and toxic == "WBC":
                    self.analyte(d, a, v, safe=True)
                else:
                    self.analyte(d, a, v)
            if r.random() < 0.5:
                self.analyte(d, "HB")
            if r.random() < 0.1:
                self.analyte(d, "LYMPH_PCT", 100 * vals["LYMPH"] / vals["WBC"])
        alt = r.uniform(12, 38)
        ast = r.uniform(14, 36)
        if toxic == "ALT":
            alt = r.uniform(*TOXIC["ALT"])
            ast = alt * r.uniform(0.5, 0.8)
        elif toxic == "AST":
            ast = r.uniform(*TOXIC["AST"])
        if self.style == "local" and r.random() < 0.05 and toxic not in ("ALT", "AST"):
            self.lab(d, "", r.choice(["LFT", "Liver function tests"]), "Reported", "")
            return
        self.analyte(d, "ALT", alt, safe=toxic == "ALT")
        if toxic in ("ALT", "AST") or r.random() < 0.3:
            self.analyte(d, "AST", ast, safe=toxic in ("ALT", "AST"))
        if r.random() < 0.6:
            self.analyte(d, "ALP")
        if r.random() < 0.4:
            self.analyte(d, "BILI", r.uniform(4, 17))
        if r.random() < 0.25:
            self.analyte(d, "ALB", r.uniform(37, 47))

    def weight_rec(self, d: int):
        r = self.r
        kg = self.kg0 + r.uniform(-2.0, 2.0)
        if self.style == "us" and r.random() < 0.8:
            lb = round(kg / 0.4536)
            code, name = ("29463-7", "Body weight") if r.random() < 0.7 else ("", "Weight")
            self.lab(d, code, name, "%d" % lb, "lb")
            self.weights.append((d, lb * 0.4536))
        else:
            kgr = round(kg, 1)
            code, name = ("29463-7", "Body weight") if self.style != "local" else ("", r.choice(["Weight", "Body weight"]))
            self.lab(d, code, name, "%.1f" % kgr, "kg")
            self.weights.append((d, kgr))

    def weights_between(self, a: int, b: int):
        d = a
        while d <= b:
            self.weight_rec(d)
            d += self.r.randint(250, 350)

    def weight_at(self, d: int) -> float | None:
        best = None
        for wd, kg in self.weights:
            if d - self.params["weight_lookback_days"] <= wd <= d and (best is None or wd >= best[0]):
                best = (wd, kg)
        return best[1] if best else None

    def tpmt(self, d: int, phen: str):
        r = self.r
        form = r.random()
        if phen == "unclassified":
            self.lab(d, "21563-2", "TPMT activity", r.choice(["See scanned report", "Result to follow"]), "")
        elif form < 0.4:
            lo, hi = TPMT_MU[phen]
            self.lab(d, "21563-2" if self.style != "local" else "", "TPMT activity", "%d" % r.randint(lo, hi),
                     "mU/L")
        elif form < 0.65:
            lo, hi = TPMT_NMOL[phen]
            unit = r.choice(["nmol/h/gHb", "nmol/h/g Hb"])
            self.lab(d, "", "Thiopurine methyltransferase", "%.1f" % r.uniform(lo, hi), unit)
        else:
            code = "41048-0" if self.style != "local" else ""
            self.lab(d, code, r.choice(["TPMT genotype", "TPMT phenotype"]), r.choice(TPMT_TEXT[phen]), "")

    def event(self, d: int, typ: str, code: str = "", desc: str = ""):
        self.events.append([d, typ, code, desc])

    def drug(self, start: int, name: str, code: str, days: int, qty: int, status: str = "completed"):
        self.rx.append([start, name, code, iso(start), "", str(days), "", "", str(qty), "", "", status])

    # azathioprine ---------------------------------------------------------
    def aza_row(self, s: int, days: int, daily: int, status: str | None = None, exposure: bool = True):
        r = self.r
        strength = 50 if daily % 50 == 0 and r.random() < 0.75 else 25
        qty = daily * days // strength
        total = strength * qty
        name = r.choice(AZA_NAMES[strength][self.style])
        code = r.choice(AZA_CODES[strength][self.style]) if r.random() < AZA_CODE_P[self.style] else ""
        if status is None:
            if self.style == "local":
                status = ""
            else:
                status = "active" if s + days - 1 >= self.A else "completed"
        form = r.random()
        end = ""
        dsup = str(days)
        st, su, q, dd, du = str(strength), "mg", str(qty), str(daily), "mg"
        if form < 0.15:  # only daily dose and days of supply
            st = su = q = ""
        elif form < 0.30:  # end date instead of days of supply
            end, dsup = iso(s + days - 1), ""
        elif form < 0.40:  # no daily dose: the audit derives it from total / days
            dd = du = ""
        self.rx.append([s, name, code, iso(s), end, dsup, st, su, q, dd, du, status])
        if exposure:
            self.aza.append((s, days, daily, total))

    def course(self, start: int, stop: int, dose, first_days: int = 28) -> list[tuple[int, int, int]]:
        """Prescriptions from start while the next start <= stop; gaps stay well inside the episode gap."""
        r = self.r
        out = []
        s = start
        i = 0
        while True:
            daily = dose(i, s)
            if i < 2:
                days = first_days
            else:
                days = r.choices((28, 56, 84), weights=(3, 4, 3))[0]
            out.append((s, days, daily))
            x = r.random()
            if x < 0.05:
                delta = r.randint(8, 40)  # a break inside the episode gap
            elif x < 0.35:
                delta = -r.randint(1, 7)  # early refill, overlapping supply
            else:
                delta = r.randint(0, 3)
            nxt = s + days + delta
            if nxt > stop:
                break
            s = nxt
            i += 1
        return out

    def std_dose(self, start_mgkg=1.0, target_mgkg=None, cap=250):
        kg = self.kg0
        t = target_mgkg if target_mgkg is not None else self.r.uniform(2.0, 2.5)
        d0 = max(25, min(100, int(round(kg * start_mgkg / 25.0)) * 25))
        d_target = max(d0, min(cap, int(kg * t // 25) * 25))
        mid = max(d0, min(d_target, int(round((d0 + d_target) / 50.0)) * 25))

        def dose(i, s):
            return d0 if i == 0 else (mid if i == 1 else d_target)
        return dose

    def emit_course(self, rxs):
        for s, days, daily in rxs:
            self.aza_row(s, days, daily)

    def monitoring(self, S: int, limit: int, *, baseline=True, skip_week=None, long_gap_at=None,
                   final=None, week1_min=0) -> list[int]:
        """Panel dates for an episode: baseline, weekly x4, then every 7-11 weeks up to limit."""
        r = self.r
        out = []
        if baseline:
            out.append(S - r.randint(0, 21))
        last = None
        for k in range(1, 5):
            d = S + 7 * (k - 1) + r.randint(week1_min if k == 1 else 0, 6)
            if k == skip_week:
                continue
            if d > limit:
                break
            out.append(d)
            last = d
        if last is None:
            return out
        out += self.maintenance(last, limit, long_gap_at=long_gap_at, final=final)
        return out

    def maintenance(self, cur: int, limit: int, *, long_gap_at=None, final=None, lo=49, hi=84) -> list[int]:
        r = self.r
        out = []
        j = 0
        while True:
            gap = r.randint(110, 200) if j == long_gap_at else r.randint(lo, hi)
            nxt = cur + gap
            if final is not None and nxt >= final:
                out.append(final)
                break
            if nxt > limit:
                break
            out.append(nxt)
            cur = nxt
            j += 1
        return out

    def visits(self, a: int, b: int, lo=90, hi=200):
        d = a + self.r.randint(0, 60)
        while d <= b:
            self.event(d, "clinic_visit", "", self.r.choice(["Neurology clinic review", "MS nurse clinic",
                                                             "Neurology follow-up", ""]))
            d += self.r.randint(lo, hi)

    def post_stop_visits(self, end: int, until: int, cut: int | None = None) -> list[int]:
        r = self.r
        out = []
        p = end
        while True:
            q = p + (r.randint(28, 88) if p < end + self.params["post_stop_first_year_days"] else r.randint(90, 175))
            if q > until or (cut is not None and q > cut):
                break
            out.append(q)
            p = q
        return out

    def dmt_history(self, before: int):
        r = self.r
        end = before - r.randint(20, 200)
        n = r.choices((1, 2, 3), weights=(5, 3, 1))[0]
        for _ in range(n):
            name, code, days, qty = r.choice(DMTS)
            dur = r.randint(300, 1400)
            start = end - dur
            step = max(days, dur // r.randint(3, 6))
            s = start
            while s <= end:
                self.drug(s, name, code, days, qty)
                s += step
            end = start - r.randint(14, 120)
            if end < self.birth + 18 * 365:
                break

    def other_drugs(self, a: int, b: int):
        r = self.r
        for _ in range(r.choices((0, 1, 2, 3), weights=(3, 4, 2, 1))[0]):
            name, code, days, qty = r.choice(OTHER_DRUGS)
            s = r.randint(a, max(a, b - 30))
            for _k in range(r.randint(1, 4)):
                if s > b:
                    break
                self.drug(s, name, code, days, qty, "completed" if s + days <= self.A else "active")
                s += days + r.randint(0, 120)

    def relapses(self, a: int, b: int, rate=0.12):
        r = self.r
        y = a
        while y + 365 <= b:
            if r.random() < rate:
                self.event(y + r.randint(0, 364), "relapse", "G35", r.choice(["Relapse", "MS relapse",
                                                                              "Optic neuritis relapse"]))
            y += 365

    # ---------------------------------------------------------------- exposure maths (RULES.md)
    def cumulative_mg(self) -> float:
        return sum(t for s, _d, _dd, t in self.aza if s <= self.A)

    def episodes(self) -> list[tuple[int, int]]:
        eps = []
        for s, d, _dd, _t in sorted(self.aza):
            e = s + d - 1
            if eps and s <= eps[-1][1] + self.params["episode_gap_days"]:
                eps[-1][1] = max(eps[-1][1], e)
            else:
                eps.append([s, e])
        return [tuple(x) for x in eps]

    def treatment_days(self) -> int:
        tot = 0
        for s, e in self.episodes():
            active = self.A <= e + self.params["episode_gap_days"] and not (self.death and self.death <= self.A)
            E = self.A if active else e
            if self.death:
                E = min(E, self.death)
            tot += E - s + 1
        return tot
