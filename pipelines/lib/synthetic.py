"""The seeded synthetic MS registry behind `aza-audit demo`.

`generate(out_dir, patients, seed, as_of)` writes the extract files of CONTRACT.md (`patients.csv`,
`prescriptions.csv`, `labs.csv`, `events.csv`, `sites.csv`) plus `scenarios.csv` (`patient_id, scenario, expected_rules`):
the scenario each patient was built from and the RULES.md rule_ids it was built to trigger (only rules that
fire by construction under the default profile; other rules may also fire).

Everything is generated patient by patient from one seeded `random.Random` and written through `csv.writer`
as it goes, so memory stays flat and the same seed and as-of give byte-identical files. All dates are set
relative to `as_of`; records dated after it appear only as deliberate dirty rows.

Dirty rows (a small share of each file, never attached to a patient with expected rules) are counted per
file and kind in the returned manifest:

- `missing_required`  a required value is empty
- `bad_date`          an unparseable date (`2023-13-45`, `12/03/2021`, ...)
- `bad_number`        an unparseable number (prescriptions, labs)
- `nonpositive`       zero or negative quantity or strength (prescriptions)
- `duplicate_id`      a repeat of an earlier row's id (an exact copy of that row)
- `unknown_patient`   a patient_id that is in no patients row (prescriptions, labs, events)
- `future_date`       a date after as_of
- `no_test_id`        a lab row with neither test_code nor test_name

Rows whose text fields contain commas (quoted by csv) are valid rows; they are counted in
`manifest["quoted_comma_rows"]`, not as dirty.
"""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path

__all__ = ["generate", "SCENARIOS", "FILE_COLUMNS", "DIRTY_KINDS"]

FILE_COLUMNS: dict[str, list[str]] = {
    "patients": ["patient_id", "site_id", "birth_date", "sex", "ms_course", "death_date"],
    "prescriptions": [
        "prescription_id", "patient_id", "drug_name", "drug_code", "start_date", "end_date", "days_supply",
        "strength", "strength_unit", "quantity", "daily_dose", "daily_dose_unit", "status",
    ],
    "labs": [
        "result_id", "patient_id", "test_code", "test_name", "collected_at", "value", "unit", "ref_low",
        "ref_high",
    ],
    "events": ["event_id", "patient_id", "event_date", "event_type", "code", "description"],
    "sites": ["site_id", "site_name"],
    "scenarios": ["patient_id", "scenario", "expected_rules"],
}

DIRTY_KINDS: dict[str, tuple[str, ...]] = {
    "patients": ("missing_required", "duplicate_id", "future_date"),  # a bad date there drops only the value
    "prescriptions": ("missing_required", "bad_date", "bad_number", "nonpositive", "duplicate_id",
                      "unknown_patient", "future_date"),
    "labs": ("missing_required", "bad_date", "bad_number", "duplicate_id", "unknown_patient", "future_date",
             "no_test_id"),
    "events": ("missing_required", "bad_date", "duplicate_id", "unknown_patient", "future_date"),
}  # sites.csv has no dirty rows
DIRTY_SHARE = 0.005  # per kind and file, of all rows

# name -> (share per 100 patients, rules it is built to trigger, site-quality group)
SCENARIOS: dict[str, tuple[int, tuple[str, ...], str]] = {
    "well_managed_active": (14, (), ""),
    "well_managed_stopped": (6, (), ""),
    "no_azathioprine": (4, (), ""),
    "restart_after_break": (4, (), ""),
    "tpmt_intermediate_low_dose": (3, (), ""),
    "dmt_contraindicated": (3, (), ""),
    "infection_held": (2, (), ""),
    "died_on_treatment": (2, (), ""),
    "tpmt_not_tested": (4, ("TPMT_NOT_TESTED",), "tpmt"),
    "tpmt_tested_late": (4, ("TPMT_TESTED_LATE",), "tpmt"),
    "tpmt_deficient_prescribed": (1, ("TPMT_DEFICIENT_PRESCRIBED",), "tpmt"),
    "tpmt_intermediate_high_dose": (2, ("TPMT_INTERMEDIATE_HIGH_DOSE",), "tpmt"),
    "dose_above_max": (3, ("DAILY_DOSE_ABOVE_MAX",), "dose"),
    "weight_missing": (4, ("WEIGHT_MISSING",), "dose"),
    "baseline_bloods_missing": (4, ("BASELINE_BLOODS_MISSING",), "monitoring"),
    "induction_gap": (5, ("INDUCTION_MONITORING_GAP",), "monitoring"),
    "maintenance_gap": (4, ("MAINTENANCE_MONITORING_GAP",), "monitoring"),
    "monitoring_overdue": (4, ("MONITORING_OVERDUE",), "monitoring"),
    "monitoring_due_soon": (3, ("MONITORING_DUE_SOON",), "monitoring"),
    "cumulative_over_limit": (2, ("CUMULATIVE_DOSE_OVER_LIMIT", "TREATMENT_DURATION_OVER_LIMIT"), "dose"),
    "cumulative_approaching": (2, ("CUMULATIVE_DOSE_APPROACHING",), "dose"),
    "long_duration_low_dose": (1, ("TREATMENT_DURATION_OVER_LIMIT",), "dose"),
    "cytopenia": (3, ("CYTOPENIA_ON_TREATMENT",), "toxicity"),
    "liver_toxicity": (2, ("LIVER_TOXICITY_ON_TREATMENT",), "toxicity"),
    "infection_restart": (2, ("INFECTION_ON_TREATMENT",), "toxicity"),
    "post_stop_followup_gap": (3, ("POST_STOP_FOLLOWUP_GAP",), "monitoring"),
    "early_discontinuation": (3, ("EARLY_DISCONTINUATION",), ""),
    "early_stop_toxicity": (2, (), "toxicity"),  # expected set per patient: cytopenia or liver toxicity
    "no_prior_dmt": (4, ("NO_PRIOR_DMT",), ""),
}
assert sum(v[0] for v in SCENARIOS.values()) == 100

# Clinics of differing size and habits: (site_id, size, system style, quality factor per group).
SITES = [
    ("S01", 0.27, "uk", {"monitoring": 0.8, "tpmt": 1.0, "dose": 1.0, "toxicity": 1.0}),
    ("S02", 0.21, "us", {"monitoring": 1.0, "tpmt": 1.8, "dose": 1.4, "toxicity": 1.0}),
    ("S03", 0.16, "local", {"monitoring": 1.6, "tpmt": 0.7, "dose": 1.0, "toxicity": 1.2}),
    ("S04", 0.12, "uk", {"monitoring": 0.5, "tpmt": 1.0, "dose": 0.6, "toxicity": 0.8}),
    ("S05", 0.10, "local", {"monitoring": 2.3, "tpmt": 0.6, "dose": 1.0, "toxicity": 1.0}),
    ("S06", 0.08, "us", {"monitoring": 1.0, "tpmt": 2.5, "dose": 1.5, "toxicity": 1.0}),
    ("S07", 0.06, "uk", {"monitoring": 1.3, "tpmt": 1.0, "dose": 0.8, "toxicity": 1.6}),
]

# The optional sites file: the names the report shows (fictional clinics).
SITE_NAMES = {"S01": "Northgate Neurology Centre", "S02": "Riverside MS Clinic", "S03": "St Anselm's Hospital",
              "S04": "Eastfield Neurosciences", "S05": "Harbour View Infirmary", "S06": "Westmoor MS Service",
              "S07": "Valley Community Neurology"}

AZA_NAMES = {
    50: {"uk": ["Azathioprine 50mg tablets", "Imuran 50mg tablets", "Azathioprine 50mg tablets, film coated"],
         "us": ["azathioprine 50 mg oral tablet", "Imuran 50 mg", "Azasan 50 MG Oral Tablet"],
         "local": ["AZATHIOPRINE 50MG TAB", "Azathioprine 50 mg", "IMURAN 50MG TAB"]},
    25: {"uk": ["Azathioprine 25mg tablets", "Imuran 25mg tablets"],
         "us": ["azathioprine 25 mg oral tablet", "Imuran 25 mg"],
         "local": ["AZATHIOPRINE 25MG TAB", "Imuran 25 mg", "Azathioprine 25 mg"]},
}
AZA_CODES = {50: {"uk": ["327070006", "L04AX01"], "us": ["197388", "L04AX01"], "local": ["L04AX01"]},
             25: {"uk": ["327071005", "L04AX01"], "us": ["199310", "L04AX01"], "local": ["L04AX01"]}}
AZA_CODE_P = {"uk": 0.7, "us": 0.85, "local": 0.25}

# Preferred MS therapies: (drug_name, code, days per prescription, quantity)
DMTS = [
    ("Avonex 30 micrograms", "L03AB07", 28, 4),
    ("Rebif 44 micrograms/0.5ml", "L03AB07", 28, 12),
    ("Interferon beta-1a 44 micrograms", "", 28, 12),
    ("Betaferon 250 micrograms", "L03AB08", 30, 15),
    ("Plegridy 125 micrograms", "L03AB13", 28, 2),
    ("Copaxone 20mg/ml", "L03AX13", 28, 28),
    ("Glatiramer acetate 40mg/ml", "", 28, 12),
    ("Tecfidera 240mg", "L04AX07", 28, 56),
    ("Dimethyl fumarate 240mg gastro-resistant capsules", "", 28, 56),
    ("Fingolimod 0.5mg capsules", "", 28, 28),
    ("Teriflunomide 14mg tablets", "", 28, 28),
    ("Natalizumab 300mg/15ml infusion", "", 28, 1),
]
OTHER_DRUGS = [
    ("Baclofen 10mg tablets", "", 28, 84), ("Gabapentin 300mg capsules", "", 28, 84),
    ("Colecalciferol 1000 IU", "", 84, 84), ("Amitriptyline 10mg tablets", "", 28, 28),
    ("Omeprazole 20mg capsules", "", 28, 28), ("Oxybutynin 5mg tablets", "", 28, 56),
    ("Paracetamol 500mg tablets", "", 14, 56), ("Modafinil 100mg tablets", "", 28, 56),
]

# Lab catalogue: analyte -> (loinc, local names, kind, normal low, normal high)
LABS = {
    "WBC": ("6690-2", ["White Blood Cells", "WBC", "White cell count"], "count", 4.0, 11.0),
    "NEUT": ("751-8", ["Neutrophils", "Absolute Neutrophil Count"], "count", 2.0, 7.5),
    "LYMPH": ("731-0", ["Lymphocytes", "Absolute Lymphocyte Count"], "count", 1.0, 4.0),
    "LYMPH_PCT": ("736-9", ["Lymphocytes %"], "pct", 20.0, 45.0),
    "PLT": ("777-3", ["Platelet Count", "Platelets"], "count", 150.0, 400.0),
    "HB": ("718-7", ["Haemoglobin", "Hb", "Hemoglobin"], "hb", 115.0, 165.0),
    "ALT": ("1742-6", ["Alanine Aminotransferase (ALT)", "ALT"], "enzyme", 0.0, 40.0),
    "AST": ("1920-8", ["Asparate Aminotransferase (AST)", "AST", "Aspartate aminotransferase"], "enzyme", 0.0, 40.0),
    "ALP": ("6768-6", ["Alkaline Phosphatase", "ALP"], "enzyme", 30.0, 130.0),
    "BILI": ("1975-2", ["Bilirubin, total", "Total Bilirubin"], "bili", 0.0, 21.0),
    "ALB": ("1751-7", ["Albumin"], "alb", 35.0, 50.0),
}
COUNT_UNITS = {"uk": ["10*9/L", "x10^9/L"], "us": ["K/uL", "10*3/uL"], "local": ["10*9/L", "cells/uL", "10^9/L"]}
UNCERTAIN_OK = {"10*9/L", "x10^9/L", "K/uL", "10*3/uL", "cells/uL", "10^9/L"}
TOXIC = {"WBC": (2.1, 3.3), "NEUT": (0.7, 1.4), "LYMPH": (0.2, 0.45), "PLT": (60.0, 130.0),
         "ALT": (140.0, 420.0), "AST": (120.0, 300.0)}

TPMT_TEXT = {
    "normal": ["Normal", "*1/*1", "normal metabolizer", "Wild type"],
    "intermediate": ["*1/*3A", "intermediate metabolizer", "Heterozygous", "*1/*3C", "Intermediate"],
    "deficient": ["*3A/*3A", "Deficient", "poor metabolizer", "Absent"],
}
TPMT_MU = {"normal": (70, 140), "intermediate": (26, 60), "deficient": (2, 14)}
TPMT_NMOL = {"normal": (28.0, 55.0), "intermediate": (12.0, 22.0), "deficient": (1.0, 7.0)}

INFECTIONS = [
    ("serious_infection", "J18.9", "Pneumonia, unspecified organism"),
    ("serious_infection", "N10", "Acute pyelonephritis"),
    ("serious_infection", "L03.1", "Cellulitis of lower limb"),
    ("serious_infection", "B02.9", "Herpes zoster, disseminated"),
    ("sepsis", "A41.9", "Sepsis, unspecified organism"),
    ("sepsis", "A41.5", "Gram-negative sepsis"),
]
CONTRAINDICATIONS = [
    "Interferon intolerance (depression)", "Needle phobia: injectable DMT declined", "Pregnancy planning",
    "JCV antibody positive: natalizumab not advised", "Lymphopenia on fingolimod", "Patient declined injectables",
]
BAD_DATES = ["2023-13-45", "12/03/2021", "2022-02-30", "31/11/2020", "2021-00-10"]

# clean scenarios that may carry incidental monitoring / TPMT / weight lapses (not listed as expected)
NOISY = {"well_managed_active", "well_managed_stopped", "tpmt_intermediate_low_dose", "dmt_contraindicated",
         "died_on_treatment"}

EP_GAP = 60  # RULES.md episode_gap_days (default profile)


def _iso(o: int) -> str:
    return date.fromordinal(o).isoformat()


class _Gen:
    def __init__(self, out_dir: Path, n: int, seed: int, as_of: date):
        from .profiles import load_profile

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
                d[2] = _iso(self.A + r.randint(1, 400))
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
                    d[4] = _iso(fut) + r.choice(["", "T09:30:00", " 11:05"])
                else:
                    d[idx_date] = _iso(fut)
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
            p = _Patient(self, pid, site, scen)
            if p.build():
                break
            # rarely a draw misses its target (cumulative band, ...): redraw from a moved state
            self.rng.setstate(st)
            self.rng.random()
        else:  # pragma: no cover - a scenario that cannot be built is a bug
            raise RuntimeError(f"could not build scenario {scen} for {pid}")
        self.scen_counts[scen] += 1
        eligible = not p.expected
        w = self.put
        w("patients", [pid, site[0], _iso(p.birth), p.sex, p.ms_course, _iso(p.death) if p.death else ""],
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
            row = [self._next_id("ev"), pid, _iso(ev[0])] + ev[1:]
            if "," in row[5]:
                self.quoted["events"] += 1
            w("events", row, eligible)
        self.w["scenarios"].writerow([pid, scen, ";".join(p.expected)])
        self.rows["scenarios"] += 1


class _Patient:
    """One patient's records, built in memory (a few hundred rows at most), then written."""

    def __init__(self, g: _Gen, pid: str, site: tuple, scen: str):
        self.g = g
        self.r = g.rng
        self.A = g.A
        self.pid = pid
        self.site_id, _, self.style, self.quality = site
        self.scen = scen
        self.expected: list[str] = list(SCENARIOS[scen][1])
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
            ts = _iso(d)
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
            if d - 365 <= wd <= d and (best is None or wd >= best[0]):
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
        self.rx.append([start, name, code, _iso(start), "", str(days), "", "", str(qty), "", "", status])

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
            end, dsup = _iso(s + days - 1), ""
        elif form < 0.40:  # no daily dose: the audit derives it from total / days
            dd = du = ""
        self.rx.append([s, name, code, _iso(s), end, dsup, st, su, q, dd, du, status])
        if exposure:
            self.aza.append((s, days, daily, total))

    def course(self, start: int, stop: int, dose, first_days: int = 28) -> list[tuple[int, int, int]]:
        """Prescriptions from start while the next start <= stop; gaps stay well inside 60 days."""
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
            q = p + (r.randint(28, 88) if p < end + 365 else r.randint(90, 175))
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
            if eps and s <= eps[-1][1] + EP_GAP:
                eps[-1][1] = max(eps[-1][1], e)
            else:
                eps.append([s, e])
        return [tuple(x) for x in eps]

    def treatment_days(self) -> int:
        tot = 0
        for s, e in self.episodes():
            active = self.A <= e + EP_GAP and not (self.death and self.death <= self.A)
            E = self.A if active else e
            if self.death:
                E = min(E, self.death)
            tot += E - s + 1
        return tot

    # ---------------------------------------------------------------- scenarios
    def build(self) -> bool:
        r = self.r
        A = self.A
        sc = self.scen
        self.sex = r.choices(("F", "M", "Female", "Male", ""), weights=(60, 28, 6, 3, 1))[0] \
            if self.style == "local" else r.choices(("F", "M"), weights=(70, 30))[0]
        self.ms_course = r.choices(("RRMS", "SPMS", "PPMS", "CIS", ""), weights=(72, 17, 5, 4, 2))[0]
        female = self.sex.startswith("F")
        self.kg0 = r.uniform(50, 92) if female else r.uniform(60, 105)
        self.lymph0 = r.uniform(1.3, 2.9)

        if sc == "no_azathioprine":
            self.birth = A - r.randint(22 * 365, 75 * 365)
            first = A - r.randint(200, 3000)
            self.dmt_history(first + r.randint(100, 400))
            self.visits(first, A, 120, 300)
            self.relapses(first, A)
            self.other_drugs(first, A)
            if r.random() < 0.3:
                self.weights_between(first, A)
            if r.random() < 0.04:
                self.death = A - r.randint(10, 300)
                self.events = [e for e in self.events if e[0] <= self.death]
                self.rx = [x for x in self.rx if x[0] <= self.death]
                self.labs = [x for x in self.labs if x[0] <= self.death]
            return True

        # --- timeline of the azathioprine episodes
        tpmt_phen = "normal"
        tpmt_when = "before"
        dmt = "history"
        dose = self.std_dose()
        mon: dict = {}
        weights_mode = "yearly"
        toxic_in: str | None = None
        post_gap = False
        infection = None
        high_dose_from = None

        long_stop = r.randint(700, 1500)
        if sc in ("well_managed_active", "tpmt_not_tested", "tpmt_tested_late", "tpmt_intermediate_low_dose",
                  "dmt_contraindicated", "no_prior_dmt", "weight_missing", "baseline_bloods_missing",
                  "tpmt_deficient_prescribed", "tpmt_intermediate_high_dose"):
            S = A - r.randint(14, 2000)
            plan = [(S, None)]
        elif sc in ("well_managed_stopped", "post_stop_followup_gap"):
            S = A - r.randint(1000, 2600)
            plan = [(S, min(S + long_stop, A - 250))]
            if plan[0][1] - S < 700:
                return False
        elif sc == "early_discontinuation":
            S = A - r.randint(300, 2000)
            plan = [(S, S + r.randint(60, 440))]
        elif sc == "early_stop_toxicity":
            S = A - r.randint(300, 2000)
            plan = [(S, S + r.randint(60, 300))]
            toxic_in = r.choice(("WBC", "NEUT", "LYMPH", "PLT", "ALT", "ALT", "AST"))
        elif sc == "restart_after_break":
            S = A - r.randint(1500, 2400)
            T1 = S + r.randint(700, 1000)
            plan = [(S, T1), "break"]
        elif sc in ("induction_gap",):
            S = A - r.randint(60, 2000)
            plan = [(S, None)]
        elif sc == "maintenance_gap":
            S = A - r.randint(900, 2000)
            plan = [(S, None)]
        elif sc in ("monitoring_overdue", "monitoring_due_soon"):
            S = A - r.randint(300, 2000)
            plan = [(S, None)]
        elif sc in ("cytopenia", "liver_toxicity", "dose_above_max"):
            S = A - r.randint(200, 2000)
            plan = [(S, None)]
        elif sc in ("infection_restart", "infection_held", "died_on_treatment"):
            S = A - r.randint(1000, 2000)
            plan = [(S, None)]
        elif sc == "cumulative_over_limit":
            S = A - r.randint(4150, 5100)
            plan = [(S, None)]
        elif sc == "cumulative_approaching":
            plan = None
            S = 0
        elif sc == "long_duration_low_dose":
            S = A - r.randint(3760, 4300)
            plan = [(S, None)]
        else:  # pragma: no cover
            raise ValueError(sc)

        # --- scenario details
        if sc == "tpmt_not_tested":
            tpmt_when = None
        elif sc == "tpmt_tested_late":
            tpmt_when = "late"
            S = A - r.randint(120, 2000)
            plan = [(S, None)]
        elif sc == "tpmt_deficient_prescribed":
            tpmt_phen = "deficient"
            dose = self.std_dose(start_mgkg=0.4, target_mgkg=r.uniform(0.5, 1.0), cap=75)
        elif sc == "tpmt_intermediate_low_dose":
            tpmt_phen = "intermediate"
            dose = self.std_dose(start_mgkg=0.6, target_mgkg=r.uniform(1.0, 1.5), cap=125)
        elif sc == "tpmt_intermediate_high_dose":
            tpmt_phen = "intermediate"
            high_dose_from = ("first", r.choice((1.85, 2.3)))  # 2.3: also above the usual starting dose
        elif sc == "dose_above_max":
            high_dose_from = ("later", 3.3)
            self.kg0 = r.uniform(46, 62)
        elif sc == "weight_missing":
            weights_mode = r.choice(("none", "after", "old"))
        elif sc == "no_prior_dmt":
            dmt = None
        elif sc == "dmt_contraindicated":
            dmt = "contraindicated"
        elif sc == "baseline_bloods_missing":
            mon = {"baseline": False, "week1_min": 1}
            if r.random() < 0.4:
                mon["old_baseline"] = True
        elif sc == "induction_gap":
            mon = {"skip_week": r.choice((2, 3, 3, 4))}
        elif sc == "maintenance_gap":
            mon = {"long_gap_at": r.randint(0, 3)}
        elif sc == "monitoring_overdue":
            mon = {"final": A - r.randint(100, 260)}
        elif sc == "monitoring_due_soon":
            mon = {"final": A - r.randint(80, 90)}
        elif sc in ("cytopenia", "liver_toxicity"):
            toxic_in = r.choice(("WBC", "NEUT", "LYMPH", "LYMPH", "PLT")) if sc == "cytopenia" else \
                r.choice(("ALT", "ALT", "AST"))
        elif sc == "post_stop_followup_gap":
            post_gap = True
        elif sc in ("cumulative_over_limit", "cumulative_approaching", "long_duration_low_dose"):
            if sc == "long_duration_low_dose":
                self.kg0 = r.uniform(48, 62)
                d_t = r.choice((75, 100))
            elif sc == "cumulative_over_limit":
                self.kg0 = r.uniform(64, 88)
                d_t = r.choice((150, 150, 175))
            else:
                self.kg0 = r.uniform(72, 95)
                d_t = r.choice((175, 200))
                target_mg = r.uniform(505000, 575000)
                S = A - int(target_mg / d_t)
                plan = [(S, None)]
            d0 = 50

            def dose(i, s, d0=d0, d_t=d_t):
                return d0 if i == 0 else d_t
        elif sc in ("infection_restart", "infection_held"):
            infection = sc

        # incidental lapses of real practice, more at some clinics, only where no rule is promised
        if sc in NOISY and not mon:
            fm = self.quality.get("monitoring", 1.0)
            ft = self.quality.get("tpmt", 1.0)
            x = r.random()
            if x < 0.07 * fm:
                mon = {"skip_week": r.randint(1, 4)}
            elif x < 0.11 * fm:
                mon = {"long_gap_at": r.randint(0, 6)}
            elif x < 0.15 * fm:
                mon = {"baseline": False, "week1_min": 1, "old_baseline": True}
            x = r.random()
            if x < 0.03 * ft:
                tpmt_when = "late"
            elif x < 0.05 * ft:
                tpmt_when = None
            if r.random() < 0.03:
                weights_mode = "after"

        self.birth = S - r.randint(22 * 365, 58 * 365)
        if sc in ("cumulative_over_limit", "long_duration_low_dose"):
            self.birth = S - r.randint(24 * 365, 45 * 365)

        # --- weights first (doses may depend on them)
        until = A
        if sc == "died_on_treatment":
            until = A - r.randint(100, 700)  # provisional; death is set inside a running supply below
        if weights_mode == "yearly":
            self.weights_between(S - r.randint(0, 90), until)
        elif weights_mode == "after":
            self.weights_between(S + r.randint(20, 200), until)
        elif weights_mode == "old":
            self.weight_rec(S - r.randint(400, 900))

        if high_dose_from:
            which, mgkg = high_dose_from
            if which == "first":
                w0 = self.weight_at(S)
                if w0 is None:
                    return False
                d_first = max(25, -(-int(w0 * mgkg) // 25) * 25)
                if d_first / w0 <= 1.55 or d_first / w0 >= 2.95:
                    return False
                if d_first / w0 > self.g.params["start_max_mg_per_kg_day"] + 0.05:
                    self.expected.append("STARTING_DOSE_HIGH")
                base = self.std_dose()

                def dose(i, s, d_first=d_first, base=base):
                    return d_first if i == 0 else max(d_first, base(i, s))
            else:
                base = self.std_dose()
                k_high = r.randint(2, 5)
                kg = self.kg0

                def dose(i, s, base=base, k_high=k_high, kg=kg):
                    if i < k_high:
                        return base(i, s)
                    w = self.weight_at(s) or kg
                    return -(-int(w * mgkg) // 25) * 25

        # --- prescriptions and monitoring per episode
        panels: list[tuple[int, bool]] = []  # (date, on treatment)
        tox_date = None
        no_repeat = False
        ep_ranges: list[tuple[int, int]] = []
        if sc == "restart_after_break":
            rx1 = self.course(S, plan[0][1], dose)
            e1 = max(s + d - 1 for s, d, _ in rx1)
            S2 = e1 + r.randint(120, 400)
            if S2 > A - 30:
                return False
            rx2 = self.course(S2, A, self.std_dose())
            self.emit_course(rx1)
            self.emit_course(rx2)
            for a, b, lim in ((S, e1, e1), (S2, A, A)):
                for d in self.monitoring(a, lim):
                    panels.append((d, d >= a))
                ep_ranges.append((a, b))
            self.visits(S - 90, A)
            self.event(e1 + r.randint(-20, 20), "clinic_visit", "", "Azathioprine paused: pregnancy planning")
        elif infection:
            rx1 = self.course(S, A - r.randint(60, 400), dose)
            # the infection falls inside the supply of a prescription at least 600 days into the course
            cands = [x for x in rx1 if x[0] >= S + 600 and x[1] >= 28]
            if not cands:
                return False
            pr = r.choice(cands)
            D = pr[0] + r.randint(3, pr[1] - 3)
            rx1 = [x for x in rx1 if x[0] <= pr[0]]
            # the infections in turn, so that even a small registry has sepsis and serious infections
            typ, code, desc = INFECTIONS[self.g.infections_seen % len(INFECTIONS)]
            self.g.infections_seen += 1
            self.event(D, typ, code, desc)
            self.emit_course(rx1)
            for d in self.monitoring(S, D - 1):
                panels.append((d, True))
            panels.append((D, True))
            panels.append((D + r.randint(5, 9), True))
            if infection == "infection_restart":
                R = D + r.randint(5, 28)
                self.emit_course(self.course(R, A, lambda i, s, dd=rx1[-1][2]: dd))
                for d in self.maintenance(D + 9, A):
                    panels.append((d, True))
            else:
                R = D + r.randint(40, 80)
                self.emit_course(self.course(R, A, self.std_dose()))
                for d in self.monitoring(R, A, baseline=False):
                    panels.append((d, True))
                panels.append((R - r.randint(0, 14), False))
                self.event(D + r.randint(14, 35), "clinic_visit", "", "Azathioprine held until infection resolved")
            self.visits(S - 90, A)
            ep_ranges.append((S, A))
        else:
            S0, stop = plan[0]
            active = stop is None
            if sc == "died_on_treatment":
                stop = until
            rxs = self.course(S0, A if active and sc != "died_on_treatment" else stop, dose)
            if sc == "died_on_treatment":
                last = rxs[-1]
                self.death = last[0] + r.randint(1, last[1] - 2)
                if self.death > A - 20:
                    return False
                until = self.death
            end = max(s + d - 1 for s, d, _ in rxs)
            self.emit_course(rxs)
            limit = until if (active or sc == "died_on_treatment") else end
            mon_kw = {k: v for k, v in mon.items() if k != "old_baseline"}
            dates = self.monitoring(S0, limit, **mon_kw)
            if mon.get("old_baseline"):
                dates.append(S0 - r.randint(35, 90))
            for d in dates:
                panels.append((d, d >= S0))
            ep_ranges.append((S0, end))
            if toxic_in:
                cand = [d for d in dates if S0 + 21 <= d <= min(end, A) - 1]
                if not cand:
                    cand = [d for d in dates if S0 <= d <= min(end, A)]
                if not cand:
                    return False
                tox_date = r.choice(cand)
                # half the clinics' abnormal counts are not repeated within the 14 days the profile allows
                # and treatment goes on (ABNORMAL_RESULT_NOT_REPEATED); the others are repeated a week later
                if sc in ("cytopenia", "liver_toxicity") and r.random() < 0.5 \
                        and tox_date + 2 * self.g.params["abnormal_repeat_days"] < min(end, A):
                    repeat_days = self.g.params["abnormal_repeat_days"]
                    panels = [(d, on) for d, on in panels if not tox_date < d <= tox_date + repeat_days]
                    self.expected.append("ABNORMAL_RESULT_NOT_REPEATED")
                    no_repeat = True
                if sc == "early_stop_toxicity":
                    tox_date = max(cand)
                    self.expected = ["LIVER_TOXICITY_ON_TREATMENT" if toxic_in in ("ALT", "AST")
                                     else "CYTOPENIA_ON_TREATMENT"]
            self.visits(S0 - 90, min(end, until))
            if not active and sc != "died_on_treatment":
                why = {"early_discontinuation": ["Azathioprine stopped: nausea", "Azathioprine stopped: patient choice",
                                                 "Azathioprine stopped: rash", "Azathioprine stopped: alopecia"],
                       "early_stop_toxicity": ["Azathioprine stopped: abnormal bloods"]}.get(
                    sc, ["Azathioprine stopped: stable disease", "Azathioprine stopped: switched to ocrelizumab"])
                why_txt = r.choice(why)
                self.event(end - r.randint(0, 20), "clinic_visit", "", why_txt)
                if post_gap:
                    cut = end + r.choice((r.randint(0, 60), r.randint(100, 300), r.randint(400, 900)))
                    vis = self.post_stop_visits(end, A, cut)
                    while True:
                        p = vis[-1] if vis else end
                        L = 92 if p < end + 365 else 183
                        if A - p > L + 10:
                            break
                        vis.pop()
                else:
                    vis = self.post_stop_visits(end, A)
                for v in vis:
                    self.event(v, "clinic_visit", "", r.choice(["Neurology follow-up", "MS nurse review",
                                                                "Telephone review", "Neurology clinic review"]))
                relapse_day = None
                if r.random() < 0.5 and end + 30 < A:
                    relapse_day = min(A, end + r.randint(30, 365))
                    self.event(relapse_day, "relapse", "G35", "Relapse after stopping azathioprine")
                if "ocrelizumab" in why_txt or r.random() < 0.1:
                    s = end + r.randint(30, 120)
                    while s <= A:
                        self.drug(s, "Ocrevus 300mg/10ml infusion (ocrelizumab)", "", 1, 1)
                        s += 182
                elif relapse_day is not None and sc == "well_managed_stopped":
                    # a well-managed relapse: a disease-modifying therapy started within weeks (when it falls
                    # before as-of; a relapse this recent is not judged yet)
                    if relapse_day + 60 < A:
                        self.drug(relapse_day + r.randint(7, 60), "Ocrevus 300mg/10ml infusion (ocrelizumab)", "", 1, 1)
                elif relapse_day is not None and relapse_day <= A - self.g.params["relapse_restart_days"]:
                    self.expected.append("RELAPSE_AFTER_STOP_UNTREATED")  # nothing restarted after it

        # --- the guards every scenario relies on
        cum = self.cumulative_mg()
        days_on = self.treatment_days()
        eps = self.episodes()
        if sc == "cumulative_over_limit":
            if cum <= 610000 or days_on <= 3700:
                return False
        elif sc == "cumulative_approaching":
            if not (485000 <= cum <= 595000) or days_on >= 3600:
                return False
        elif sc == "long_duration_low_dose":
            if cum >= 475000 or days_on <= 3700:
                return False
        elif cum >= 470000 or days_on >= 3600:
            return False
        if len(eps) != (2 if sc == "restart_after_break" else 1) and sc != "infection_held":
            return False
        if sc == "early_discontinuation" and not (eps[0][1] - eps[0][0] + 1 < 540 and eps[0][1] + EP_GAP < A - 5):
            return False
        if sc in ("well_managed_stopped", "post_stop_followup_gap", "restart_after_break", "infection_held",
                  "died_on_treatment") and eps[0][1] - eps[0][0] + 1 < 560:
            return False
        if sc in ("well_managed_stopped", "post_stop_followup_gap", "early_discontinuation",
                  "early_stop_toxicity") and not eps[-1][1] + EP_GAP < A - 5:
            return False
        if sc == "dose_above_max" or high_dose_from is None:
            # doses against the weight the audit will use
            over = False
            for s, _d, dd, _t in self.aza:
                w = self.weight_at(s)
                if w is not None and dd / w > (3.0 if sc != "dose_above_max" else 3.05):
                    over = True
            if sc == "dose_above_max" and not over:
                return False
            if sc != "dose_above_max" and over:
                return False
        if sc == "tpmt_intermediate_high_dose":
            w = self.weight_at(eps[0][0])
            first = min(self.aza)
            if w is None or first[2] / w <= 1.55:
                return False

        # --- TPMT
        init = eps[0][0]
        if tpmt_when == "before":
            if self.r.random() < 0.03 and tpmt_phen == "normal":
                self.tpmt(init - r.randint(7, 120), "unclassified")
            else:
                tpmt_day = init - r.randint(0, 120)
                self.tpmt(tpmt_day, tpmt_phen)
                if sc == "well_managed_active" and tpmt_phen == "normal" and r.random() < 0.08:
                    # transfused (after a bleed) in the weeks before the test: the normal result may be donor cells
                    self.event(tpmt_day - r.randint(5, self.g.params["transfusion_tpmt_days"] - 5),
                               "blood_transfusion", "", "Red cell transfusion, 2 units")
                    self.expected.append("TPMT_AFTER_TRANSFUSION")
        elif tpmt_when == "late":
            self.tpmt(init + r.randint(7, 100), tpmt_phen)
        if sc == "well_managed_stopped" and r.random() < 0.15 and eps[-1][1] + 60 < A:
            # a later genotype shows TPMT deficiency after the course: never prescribed since (in the
            # TPMT_DEFICIENT_PRESCRIBED population, and rightly not flagged)
            self.tpmt(r.randint(eps[-1][1] + 30, A - 1), "deficient")

        # gout: allopurinol started during treatment without cutting the azathioprine dose (XOI_COPRESCRIBED)
        if sc == "well_managed_active" and r.random() < 0.06 and A - init > 120:
            self.drug(r.randint(init + 60, A - 30), r.choice(["Allopurinol 100mg tablets", "allopurinol 300 mg oral tablet",
                                                               "Zyloric 100mg"]), "", 28, 28)
            self.expected.append("XOI_COPRESCRIBED")
        elif sc == "well_managed_active" and r.random() < 0.08:  # gout treated and stopped before azathioprine
            self.drug(init - r.randint(200, 400), "Allopurinol 100mg tablets", "", 28, 28)

        # --- DMT history or contraindication
        if dmt == "history":
            self.dmt_history(init)
        elif dmt == "contraindicated":
            self.event(init - r.randint(30, 400), "dmt_contraindication", "", r.choice(CONTRAINDICATIONS))

        # --- bloods
        for d, on in panels:
            if d > A or (self.death and d > self.death):
                continue
            self.bloods(d, on, toxic_in if d == tox_date else None)
        if tox_date is not None and not no_repeat:
            # the repeat a week later, recovering on a lower dose or off treatment
            rep = tox_date + r.randint(5, 9)
            if rep <= A and not any(d == rep for d, _ in panels):
                self.bloods(rep, True)

        # cancelled / entered-in-error rows (no exposure) on some well-behaved patients
        if sc in ("well_managed_active", "well_managed_stopped") and len(self.aza) > 3 and r.random() < 0.12:
            s, days, daily, _ = self.aza[r.randint(1, len(self.aza) - 1)]
            if r.random() < 0.5:
                self.aza_row(s, days, daily, status="cancelled", exposure=False)
            else:
                self.aza_row(s, days, daily * 10, status="entered-in-error", exposure=False)

        lo = eps[0][0] - 400
        hi = min(A, self.death) if self.death else A
        self.relapses(lo, hi)
        self.other_drugs(lo, hi)
        if self.death:
            self.events = [e for e in self.events if e[0] <= self.death]
            self.labs = [x for x in self.labs if x[0] <= self.death]
        return True


def generate(out_dir: Path, patients: int = 2000, seed: int = 20261126, as_of: date | None = None) -> dict:
    """Write a synthetic registry extract (and scenarios.csv) into out_dir; return the manifest."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if as_of is None:
        as_of = date.today()
    if patients < 1:
        raise ValueError("patients must be at least 1")
    g = _Gen(out_dir, int(patients), int(seed), as_of)
    g.run()
    dirty_totals: dict[str, int] = {}
    for f, kinds in g.dirty.items():
        for k, n in kinds.items():
            dirty_totals[k] = dirty_totals.get(k, 0) + n
    return {
        "seed": int(seed),
        "patients": int(patients),
        "as_of": as_of.isoformat(),
        "rows": dict(g.rows),
        "dirty": dirty_totals,
        "dirty_by_file": {f: dict(k) for f, k in g.dirty.items()},
        "dirty_rows": {"sites": 0} | {f: sum(k.values()) for f, k in g.dirty.items()},
        "quoted_comma_rows": dict(g.quoted),
        "scenarios": dict(g.scen_counts),
    }
