"""The writer of the synthetic registry: the extract files, the dirty rows, the deck of scenarios."""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path

from .catalogue import BAD_DATES, DIRTY_KINDS, DIRTY_SHARE, FILE_COLUMNS, SITE_NAMES, SITES
from .patient import Patient, iso
from .scenarios import BUILDERS, SCENARIOS


class Generator:
    """Writes the registry patient by patient from one seeded `random.Random`: each patient is built by its
    scenario (`scenarios/`), then written, with a small share of dirty rows from a second stream."""

    def __init__(self, out_dir: Path, n: int, seed: int, as_of: date):
        from ..profiles import load_profile

        self.params = load_profile("default").params  # the thresholds the scenarios are built around
        self.infections_seen = 0
        self.rng = random.Random(seed)
        self.drng = random.Random(seed * 7919 + 17)  # dirty rows: separate stream
        self.A = as_of.toordinal()
        self.n = n
        self.out_dir = out_dir
        self.ids = {"rx": 0, "lab": 0, "ev": 0}
        self.rows = {k: 0 for k in FILE_COLUMNS}
        self.dirty = {f: {k: 0 for k in kinds} for f, kinds in DIRTY_KINDS.items()}
        self.quoted = {"prescriptions": 0, "labs": 0, "events": 0}
        self.scen_counts = {k: 0 for k in SCENARIOS}
        self.templates: dict[str, list] = {}
        self.extra_pid = 0
        self.unknown_pid = 0
        # a dirty row per clean row of an eligible patient, with this probability (~35% of rows are eligible)
        self.q = {f: DIRTY_SHARE * len(k) / 0.35 for f, k in DIRTY_KINDS.items()}
        self.deck: list[str] = []
        # site choice given the scenario group
        self.site_w = {}
        for g in ("", "monitoring", "tpmt", "dose", "toxicity"):
            self.site_w[g] = [s[1] * s[3].get(g, 1.0) for s in SITES]

    # ------------------------------------------------------------------ writing
    def open(self):
        self.files = {}
        self.w = {}
        for name, cols in FILE_COLUMNS.items():
            fh = open(self.out_dir / f"{name}.csv", "w", encoding="utf-8", newline="")
            self.files[name] = fh
            wr = csv.writer(fh, lineterminator="\n")
            wr.writerow(cols)
            self.w[name] = wr

    def close(self):
        for fh in self.files.values():
            fh.close()

    def put(self, f: str, row: list, eligible: bool):
        self.w[f].writerow(row)
        self.rows[f] += 1
        if eligible:
            if f not in self.templates:
                self.templates[f] = list(row)
            if self.drng.random() < self.q[f]:
                self.put_dirty(f, row, self.drng.choice(DIRTY_KINDS[f]))

    def _new_extra_pid(self) -> str:
        self.extra_pid += 1
        return f"P{self.n + self.extra_pid:07d}"

    def _new_unknown_pid(self) -> str:
        self.unknown_pid += 1
        return f"P{self.n + 500000 + self.unknown_pid:07d}"

    def put_dirty(self, f: str, row: list, kind: str):
        r = self.drng
        d = list(row)
        if kind == "duplicate_id":
            pass  # an exact repeat of the row just written (same id)
        elif f == "patients":
            d[0] = self._new_extra_pid()
            d[5] = ""
            if kind == "missing_required":
                d[0] = ""
            elif kind == "future_date":
                d[2] = iso(self.A + r.randint(1, 400))
        else:
            idx_date = {"prescriptions": 4, "labs": 4, "events": 2}[f]
            prefix = {"prescriptions": "rx", "labs": "lab", "events": "ev"}[f]
            d[0] = self._next_id(prefix)
            if kind == "missing_required":
                d[r.choice({"prescriptions": [2, 4, 1], "labs": [5, 4, 1], "events": [3, 2, 1]}[f])] = ""
            elif kind == "bad_date":
                d[idx_date] = r.choice(BAD_DATES)
            elif kind == "bad_number":
                if f == "prescriptions":
                    c = r.choice([(9, "56 tabs"), (10, "100mg"), (6, "28d"), (7, "5O")])
                    d[c[0]] = c[1]
                else:
                    d[7] = r.choice(["4.O", "3..5", "<>"])
            elif kind == "nonpositive":
                c = r.choice([(9, "0"), (9, "-56"), (7, "0"), (7, "-50")])
                if c[0] == 7 and not d[8]:
                    d[8] = "mg"
                d[c[0]] = c[1]
            elif kind == "unknown_patient":
                d[1] = self._new_unknown_pid()
            elif kind == "future_date":
                fut = self.A + r.randint(1, 120)
                if f == "labs":
                    d[4] = iso(fut) + r.choice(["", "T09:30:00", " 11:05"])
                else:
                    d[idx_date] = iso(fut)
                if f == "prescriptions":
                    d[5] = ""
            elif kind == "no_test_id":
                d[2] = ""
                d[3] = ""
        self.w[f].writerow(d)
        self.rows[f] += 1
        self.dirty[f][kind] += 1

    def _next_id(self, prefix: str) -> str:
        self.ids[prefix] += 1
        n = self.ids[prefix]
        if prefix == "rx":
            return f"RX{n:09d}"
        if prefix == "lab":
            return f"LR{n:010d}"
        return f"EV{n:08d}"

    def finish_dirty(self):
        """Make sure every kind shows up in every file, even for small registries."""
        for f, kinds in DIRTY_KINDS.items():
            tpl = self.templates.get(f)
            if tpl is None:
                continue
            for k in kinds:
                if self.dirty[f][k] == 0:
                    self.put_dirty(f, tpl, k)

    # ------------------------------------------------------------------ generation
    def run(self):
        self.open()
        try:
            for i in range(self.n):
                if not self.deck:
                    deck = [name for name, v in SCENARIOS.items() for _ in range(v[0])]
                    self.rng.shuffle(deck)
                    self.deck = deck
                self.patient(i + 1, self.deck.pop())
            self.finish_dirty()
            for site in SITES:
                self.put("sites", [site[0], SITE_NAMES[site[0]]], eligible=False)
        finally:
            self.close()

    def patient(self, num: int, scen: str):
        r = self.rng
        pid = f"P{num:07d}"
        group = SCENARIOS[scen][2]
        si = r.choices(range(len(SITES)), weights=self.site_w[group])[0]
        site = SITES[si]
        for _attempt in range(30):
            st = self.rng.getstate()
            p = Patient(self, pid, site, scen)
            if BUILDERS[scen].build(p):
                break
            # rarely a draw misses its target (cumulative band, ...): redraw from a moved state
            self.rng.setstate(st)
            self.rng.random()
        else:  # pragma: no cover - a scenario that cannot be built is a bug
            raise RuntimeError(f"could not build scenario {scen} for {pid}")
        self.scen_counts[scen] += 1
        eligible = not p.expected
        w = self.put
        w("patients", [pid, site[0], iso(p.birth), p.sex, p.ms_course, iso(p.death) if p.death else ""],
          eligible)
        for rx in sorted(p.rx, key=lambda x: x[0]):
            row = [self._next_id("rx"), pid] + rx[1:]
            if "," in row[2]:
                self.quoted["prescriptions"] += 1
            w("prescriptions", row, eligible)
        for lab in sorted(p.labs, key=lambda x: x[0]):
            row = [self._next_id("lab"), pid] + lab[1:]
            if "," in row[3]:
                self.quoted["labs"] += 1
            w("labs", row, eligible)
        for ev in sorted(p.events, key=lambda x: x[0]):
            row = [self._next_id("ev"), pid, iso(ev[0])] + ev[1:]
            if "," in row[5]:
                self.quoted["events"] += 1
            w("events", row, eligible)
        self.w["scenarios"].writerow([pid, scen, ";".join(p.expected)])
        self.rows["scenarios"] += 1

