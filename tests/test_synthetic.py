"""The synthetic registry behind `aza-audit demo`: determinism, contract shape, dirty rows, scenarios.

The scenario check uses a small reference evaluator of RULES.md written here, independent of the SQL
rules, so the generator's promises (scenarios.csv) are checked against the specification itself.
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from pipelines.lib.rules import discover_rules
from pipelines.lib.synthetic import DIRTY_KINDS, FILE_COLUMNS, SCENARIOS, generate

AS_OF = date(2026, 11, 26)
N = 300
RULES_MD = Path(__file__).resolve().parents[2] / "shared" / "RULES.md"

ALL_RULES = [rule.rule_id for rule in discover_rules()]  # every rule of sql/rules/


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    manifest = generate(out, patients=N, seed=20261126, as_of=AS_OF)
    return out, manifest


def read(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rd = csv.reader(fh)
        header = next(rd)
        rows = []
        for rec in rd:
            assert len(rec) == len(header), f"{path.name}: row with {len(rec)} fields: {rec}"
            rows.append(dict(zip(header, rec)))
    return header, rows


def digest(d: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.glob("*.csv"))}


def parse_date(s: str) -> date | None:
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------- shape


def test_deterministic(registry, tmp_path):
    out, manifest = registry
    again = generate(tmp_path / "again", patients=N, seed=20261126, as_of=AS_OF)
    assert again == manifest
    assert digest(tmp_path / "again") == digest(out)
    other = generate(tmp_path / "other", patients=N, seed=7, as_of=AS_OF)
    assert digest(tmp_path / "other") != digest(out)
    assert other["seed"] == 7


def test_contract_columns_and_manifest(registry):
    out, manifest = registry
    for name, cols in FILE_COLUMNS.items():
        header, rows = read(out / f"{name}.csv")
        assert header == cols
        assert manifest["rows"][name] == len(rows)
    assert manifest["patients"] == N and manifest["seed"] == 20261126 and manifest["as_of"] == AS_OF.isoformat()
    _, pats = read(out / "patients.csv")
    ids = [p["patient_id"] for p in pats]
    assert len(set(i for i in ids if i)) >= N
    assert all(i.startswith("P") and len(i) == 8 for i in ids if i)


def test_realism_spread(registry):
    out, _ = registry
    _, pats = read(out / "patients.csv")
    sites = {p["site_id"] for p in pats}
    assert len(sites) >= 6
    assert {"RRMS", "SPMS", "PPMS", "CIS"} <= {p["ms_course"] for p in pats}
    _, rx = read(out / "prescriptions.csv")
    names = {r["drug_name"] for r in rx}
    assert any("Imuran" in n for n in names) and any(n.isupper() and "AZATHIOPRINE" in n for n in names)
    assert any("Avonex" in n for n in names) and any("Copaxone" in n for n in names)
    statuses = {r["status"] for r in rx}
    assert {"cancelled", "entered-in-error"} <= statuses
    aza = [r for r in rx if "zathiop" in r["drug_name"].lower() or "imuran" in r["drug_name"].lower()]
    assert any(r["strength"] == "" and r["daily_dose"] and r["days_supply"] for r in aza)
    assert any(r["end_date"] and not r["days_supply"] for r in aza)
    _, labs = read(out / "labs.csv")
    units = {r["unit"] for r in labs}
    assert {"10*9/L", "K/uL", "cells/uL", "U/L", "IU/L", "mU/L", "kg", "lb", "mmol/L"} <= units
    stamps = [r["collected_at"] for r in labs]
    assert any("T" in s for s in stamps) and any(" " in s for s in stamps) and any(len(s) == 10 for s in stamps)
    _, ev = read(out / "events.csv")
    assert {"clinic_visit", "relapse", "serious_infection", "sepsis", "dmt_contraindication"} <= {
        e["event_type"] for e in ev}


def test_row_counts_scale_linearly(tmp_path):
    small = generate(tmp_path / "a", patients=200, seed=3, as_of=AS_OF)
    big = generate(tmp_path / "b", patients=800, seed=3, as_of=AS_OF)
    for f in ("prescriptions", "labs", "events", "scenarios"):
        ratio = big["rows"][f] / small["rows"][f]
        assert 3.0 < ratio < 5.0, (f, ratio)


def test_quoted_commas_parse(registry):
    out, manifest = registry
    assert sum(manifest["quoted_comma_rows"].values()) > 0
    for f in ("prescriptions", "labs", "events"):
        text = (out / f"{f}.csv").read_text(encoding="utf-8")
        assert text.count("\n") == manifest["rows"][f] + 1  # no embedded newlines
        _, rows = read(out / f"{f}.csv")  # every row has exactly the header's field count
        col = {"prescriptions": "drug_name", "labs": "test_name", "events": "description"}[f]
        assert sum("," in r[col] for r in rows) >= manifest["quoted_comma_rows"][f]


def test_no_dates_after_as_of_except_dirty(registry):
    out, manifest = registry
    cols = {"prescriptions": ["start_date", "end_date"], "labs": ["collected_at"], "events": ["event_date"],
            "patients": ["birth_date", "death_date"]}
    for f, cs in cols.items():
        _, rows = read(out / f"{f}.csv")
        future = 0
        for r in rows:
            if any((d := parse_date(r[c])) is not None and d > AS_OF for c in cs if c != "end_date"):
                future += 1
        assert future == manifest["dirty_by_file"][f]["future_date"], f


def test_dirty_rows_present(registry):
    out, manifest = registry
    _, pats = read(out / "patients.csv")
    known = {p["patient_id"] for p in pats if p["patient_id"]}
    idcol = {"patients": "patient_id", "prescriptions": "prescription_id", "labs": "result_id",
             "events": "event_id"}
    datecol = {"patients": "birth_date", "prescriptions": "start_date", "labs": "collected_at",
               "events": "event_date"}
    for f, kinds in DIRTY_KINDS.items():
        got = manifest["dirty_by_file"][f]
        assert set(got) == set(kinds)
        assert all(n >= 1 for n in got.values()), (f, got)
        _, rows = read(out / f"{f}.csv")
        ids = [r[idcol[f]] for r in rows if r[idcol[f]]]
        assert len(ids) - len(set(ids)) == got["duplicate_id"], f
        bad = sum(1 for r in rows if r[datecol[f]] and parse_date(r[datecol[f]]) is None)
        assert bad == got.get("bad_date", 0), f  # patients have no bad_date kind: their dates are optional
        if f != "patients":
            assert sum(r["patient_id"] not in known and r["patient_id"] != "" for r in rows) == \
                got["unknown_patient"], f
        if f == "labs":
            assert sum(not r["test_code"] and not r["test_name"] for r in rows) == got["no_test_id"]
        if f == "prescriptions":
            def nonpos(v):
                try:
                    return float(v) <= 0
                except ValueError:
                    return False
            assert sum(nonpos(r["quantity"]) or nonpos(r["strength"]) for r in rows) == got["nonpositive"]
        assert manifest["dirty"]  # totals per kind
    # a small share of each file
    for f in ("prescriptions", "labs"):
        assert sum(manifest["dirty_by_file"][f].values()) / manifest["rows"][f] < 0.06


def test_every_rule_is_a_scenario_target(registry):
    out, _ = registry
    _, scen = read(out / "scenarios.csv")
    listed = {r for s in scen for r in s["expected_rules"].split(";") if r}
    assert listed == set(ALL_RULES)
    if RULES_MD.exists():
        text = RULES_MD.read_text()
        for rule in ALL_RULES:
            assert f"| {rule} |" in text
    # every scenario is used, and most patients trigger nothing on purpose
    assert {s["scenario"] for s in scen} == set(SCENARIOS)
    assert sum(1 for s in scen if not s["expected_rules"]) > N * 0.35


# ----------------------------------------------------------------- a reference evaluator of RULES.md

LOINC = {
    "58410-2": "CBC_PANEL", "6690-2": "WBC", "751-8": "NEUTROPHILS", "770-8": "NEUT_PCT", "731-0": "LYMPHOCYTES",
    "736-9": "LYMPH_PCT", "777-3": "PLATELETS", "718-7": "HAEMOGLOBIN", "24325-3": "LFT_PANEL", "1742-6": "ALT",
    "1920-8": "AST", "6768-6": "ALP", "1975-2": "BILIRUBIN", "1751-7": "ALBUMIN", "21563-2": "TPMT",
    "43421-7": "TPMT", "41048-0": "TPMT", "62365-2": "TPMT", "29463-7": "WEIGHT", "3141-9": "WEIGHT",
}
NAMES = {
    "fbc": "CBC_PANEL", "full blood count": "CBC_PANEL", "cbc": "CBC_PANEL", "white blood cells": "WBC",
    "wbc": "WBC", "white cell count": "WBC", "neutrophils": "NEUTROPHILS", "absolute neutrophil count": "NEUTROPHILS",
    "lymphocytes": "LYMPHOCYTES", "absolute lymphocyte count": "LYMPHOCYTES", "lymphocytes %": "LYMPH_PCT",
    "platelets": "PLATELETS", "platelet count": "PLATELETS", "haemoglobin": "HAEMOGLOBIN", "hemoglobin": "HAEMOGLOBIN",
    "hb": "HAEMOGLOBIN", "liver function tests": "LFT_PANEL", "lft": "LFT_PANEL",
    "alanine aminotransferase (alt)": "ALT", "alt": "ALT", "asparate aminotransferase (ast)": "AST", "ast": "AST",
    "aspartate aminotransferase": "AST", "alkaline phosphatase": "ALP", "alp": "ALP", "bilirubin, total": "BILIRUBIN",
    "total bilirubin": "BILIRUBIN", "albumin": "ALBUMIN", "tpmt activity": "TPMT",
    "thiopurine methyltransferase": "TPMT", "tpmt genotype": "TPMT", "tpmt phenotype": "TPMT",
    "body weight": "WEIGHT", "weight": "WEIGHT",
}
GROUP = {"CBC_PANEL": "CBC", "WBC": "CBC", "NEUTROPHILS": "CBC", "NEUT_PCT": "CBC", "LYMPHOCYTES": "CBC",
         "LYMPH_PCT": "CBC", "PLATELETS": "CBC", "HAEMOGLOBIN": "CBC", "LFT_PANEL": "LFT", "ALT": "LFT",
         "AST": "LFT", "ALP": "LFT", "BILIRUBIN": "LFT", "ALBUMIN": "LFT"}
TPMT_TXT = {
    "normal": {"normal", "wild type", "*1/*1", "normal metabolizer"},
    "intermediate": {"intermediate", "low", "heterozygous", "*1/*2", "*1/*3a", "*1/*3b", "*1/*3c",
                     "intermediate metabolizer"},
    "deficient": {"deficient", "absent", "very low", "homozygous", "poor metabolizer", "*3a/*3a", "*3a/*3c",
                  "*3c/*3c", "*2/*3a"},
}
LOW = {"WBC": 3.5, "NEUTROPHILS": 1.6, "LYMPHOCYTES": 0.5, "PLATELETS": 140}
COUNT_AS_IS = {"10*9/l", "10^9/l", "x10^9/l", "k/ul", "10*3/ul", "/nl"}
COUNT_DIV = {"/ul", "cells/ul", "/mm3"}
GAP, M_MAX, DUE, BASE, L1, L2 = 60, 92, 78, 30, 92, 183


def tpmt_class(value: str, unit: str) -> str | None:
    v = value.strip().lower()
    for k, s in TPMT_TXT.items():
        if v in s:
            return k
    try:
        x = float(v)
    except ValueError:
        return None
    u = unit.replace(" ", "").lower()
    if u == "mu/l":
        return "deficient" if x < 20 else ("intermediate" if x < 68 else "normal")
    if u == "nmol/h/ghb":
        return "deficient" if x < 10 else ("intermediate" if x <= 25 else "normal")
    return None


class Pt:
    def __init__(self):
        self.aza, self.dmt, self.labs, self.events, self.death = [], [], [], [], None
        self.xoi = []  # (start, last covered day) of allopurinol / febuxostat


def load(out: Path, pids: set[str]) -> dict[str, Pt]:
    pts = defaultdict(Pt)
    for p in read(out / "patients.csv")[1]:
        if p["patient_id"] in pids:
            pts[p["patient_id"]].death = parse_date(p["death_date"]) if p["death_date"] else None
    dmt_words = ("interferon", "avonex", "rebif", "betaferon", "plegridy", "copaxone", "glatiramer", "tecfidera",
                 "fumarate", "fingolimod", "teriflunomide", "natalizumab", "ocrelizumab", "ocrevus")
    seen: set[str] = set()
    for r in read(out / "prescriptions.csv")[1]:
        if r["patient_id"] not in pids or r["prescription_id"] in seen or not r["drug_name"]:
            continue
        seen.add(r["prescription_id"])
        n = r["drug_name"].lower()
        try:  # rows the audit quarantines are left out here too
            start = date.fromisoformat(r["start_date"])
            st = float(r["strength"]) if r["strength"] else None
            q = float(r["quantity"]) if r["quantity"] else None
            dd = float(r["daily_dose"]) if r["daily_dose"] else None
            days = int(r["days_supply"]) if r["days_supply"] else (
                (date.fromisoformat(r["end_date"]) - start).days + 1 if r["end_date"] else None)
        except ValueError:
            continue
        if start > AS_OF or (st is not None and st <= 0) or (q is not None and q <= 0):
            continue
        if any(w in n for w in ("azathioprin", "imuran", "azasan")):
            if r["status"] in ("cancelled", "entered-in-error"):
                continue
            total = st * q if st and q else (dd * days if dd and days else None)
            if days is None:
                days = math.ceil(total / dd) if total and dd else 28
            if dd is None and total is not None:
                dd = total / days
            pts[r["patient_id"]].aza.append((start, r["prescription_id"], days, total, dd))
        elif any(w in n for w in dmt_words) or r["drug_code"] in ("L03AB07", "L03AB08", "L03AB13", "L03AX13",
                                                                   "L04AX07"):
            pts[r["patient_id"]].dmt.append(start)
        elif any(w in n for w in ("allopurinol", "zyloprim", "zyloric", "febuxostat", "uloric", "adenuric")):
            if r["status"] not in ("cancelled", "entered-in-error"):
                pts[r["patient_id"]].xoi.append((start, start + ((days or 28) - 1) * timedelta(days=1)))
    seen = set()
    for r in read(out / "labs.csv")[1]:
        if r["patient_id"] not in pids or r["result_id"] in seen or not r["value"]:
            continue
        seen.add(r["result_id"])
        a = LOINC.get(r["test_code"]) or NAMES.get(r["test_name"].lower())
        d = parse_date(r["collected_at"])
        if a is None or d is None or d > AS_OF:
            continue
        try:
            for c in ("ref_low", "ref_high"):
                if r[c]:
                    float(r[c])
        except ValueError:
            continue
        val, unit = r["value"], r["unit"]
        num = None
        try:
            x = float(val)
            u = unit.lower()
            if a == "WEIGHT":
                num = x if u == "kg" else (x * 0.4536 if u == "lb" else None)
            elif a in LOW:
                num = x if u in COUNT_AS_IS else (x / 1000 if u in COUNT_DIV else None)
            elif a in ("ALT", "AST"):
                num = x if u in ("u/l", "iu/l") else None
        except ValueError:
            pass
        pts[r["patient_id"]].labs.append((d, a, num, tpmt_class(val, unit) if a == "TPMT" else None))
    seen = set()
    for r in read(out / "events.csv")[1]:
        if r["patient_id"] in pids and r["event_id"] not in seen and r["event_type"]:
            seen.add(r["event_id"])
            d = parse_date(r["event_date"])
            if d is not None and d <= AS_OF:
                pts[r["patient_id"]].events.append((d, r["event_type"]))
    return pts


def evaluate(p: Pt) -> set[str]:
    """Rules that fire for one patient, per RULES.md with the default profile."""
    fired: set[str] = set()
    day = timedelta(days=1)
    aza = sorted(p.aza)
    if not aza:
        return fired
    death = p.death if p.death and p.death <= AS_OF else None
    eps = []  # [start, end, first rx]
    for s, _id, days, _t, _dd in aza:
        e = s + (days - 1) * day
        if eps and (s - eps[-1][1]).days <= GAP:
            eps[-1][1] = max(eps[-1][1], e)
        else:
            eps.append([s, e, (s, days, _t, _dd)])
    infos = []
    for s, e, first in eps:
        active = AS_OF <= e + GAP * day and death is None
        E = AS_OF if active else e
        if death:
            E = min(E, death)
        infos.append((s, e, active, E, first))
    init = eps[0][0]
    tests = {"CBC": sorted({d for d, a, *_ in p.labs if GROUP.get(a) == "CBC"}),
             "LFT": sorted({d for d, a, *_ in p.labs if GROUP.get(a) == "LFT"})}
    tpmt = sorted((d, c) for d, a, _n, c in p.labs if a == "TPMT")
    weights = sorted((d, n) for d, a, n, _c in p.labs if a == "WEIGHT" and n)

    def weight(at):
        w = [n for d, n in weights if at - 365 * day <= d <= at]
        return w[-1] if w else None

    if not tpmt:
        fired.add("TPMT_NOT_TESTED")
    elif not any(d <= init for d, _ in tpmt):
        fired.add("TPMT_TESTED_LATE")
    classified = [(d, c) for d, c in tpmt if c and d <= init]
    transfusions = [d for d, t in p.events if t == "blood_transfusion"]
    if classified and all(c == "normal" and any(t <= d <= t + 90 * day for t in transfusions)
                          for d, c in classified):
        fired.add("TPMT_AFTER_TRANSFUSION")
    defic = [d for d, c in tpmt if c == "deficient"]
    if defic and any(s >= min(defic) for s, *_ in aza):
        fired.add("TPMT_DEFICIENT_PRESCRIBED")
    for s, e, active, E, first in infos:
        w = weight(s)
        if w is None:
            fired.add("WEIGHT_MISSING")
        cls = [c for d, c in tpmt if d <= s and c]
        # the first regimen: the prescriptions starting on the episode's first day, their daily doses summed
        regimen = [dd for x, _id, _days, _t, dd in aza if x == s and dd is not None]
        dose0 = sum(regimen) if regimen else None
        severity = {"deficient": 3, "intermediate": 2, "normal": 1}
        phenotype = max(cls, key=lambda c: severity[c]) if cls else None  # v2: the most severe result
        if w and dose0 is not None and dose0 / w > 1.5 and phenotype == "intermediate":
            fired.add("TPMT_INTERMEDIATE_HIGH_DOSE")
        if w and dose0 is not None and dose0 / w > 2.0:
            fired.add("STARTING_DOSE_HIGH")
        # XOI: the generator never cuts the dose, so an overlap that starts after the episode start fires
        if any(a <= e and b >= s and a > s for a, b in p.xoi):
            fired.add("XOI_COPRESCRIBED")
        M = s + 28 * day
        for t, ds in tests.items():
            if not any(s - BASE * day <= d <= s for d in ds):
                fired.add("BASELINE_BLOODS_MISSING")
            for k in range(1, 5):
                ws, we = s + 7 * (k - 1) * day, s + (7 * k - 1) * day
                if we < AS_OF and ws <= e and not any(ws <= d <= we for d in ds):
                    fired.add("INDUCTION_MONITORING_GAP")
            pre = [d for d in ds if s <= d < M]
            pts_ = [pre[-1] if pre else M] + [d for d in ds if M <= d <= E]
            for a, b in zip(pts_, pts_[1:]):
                if (b - a).days > M_MAX:
                    fired.add("MAINTENANCE_MONITORING_GAP")
            if not active and (E - pts_[-1]).days > M_MAX:
                fired.add("MAINTENANCE_MONITORING_GAP")
            if active and AS_OF >= M:
                last = max([pre[-1] if pre else M] + [d for d in ds if M <= d <= AS_OF])
                gap = (AS_OF - last).days
                if gap > M_MAX:
                    fired.add("MONITORING_OVERDUE")
                elif gap > DUE:
                    fired.add("MONITORING_DUE_SOON")
        tox = False
        for d, a, n, _c in p.labs:
            abnormal = n is not None and s <= d <= e and ((a in LOW and n < LOW[a]) or (a in ("ALT", "AST") and n > 100))
            if abnormal and AS_OF >= d + 14 * day and not (death and death <= d + 14 * day) \
                    and not any(x == a and nn is not None and d < dd <= d + 14 * day for dd, x, nn, _ in p.labs) \
                    and not any(d <= ee <= d + 14 * day for _s, ee, *_ in infos):
                fired.add("ABNORMAL_RESULT_NOT_REPEATED")
            if s <= d <= e and n is not None:
                if a in LOW and n < LOW[a]:
                    fired.add("CYTOPENIA_ON_TREATMENT")
                    tox = True
                if a in ("ALT", "AST") and n > 100:
                    fired.add("LIVER_TOXICITY_ON_TREATMENT")
                    tox = True
        for d, typ in p.events:
            if typ in ("serious_infection", "sepsis") and s <= d <= e and any(
                    d <= x[0] <= d + 30 * day for x in aza):
                fired.add("INFECTION_ON_TREATMENT")
                tox = True
        if not active and (e - s).days + 1 < 548 and not tox:
            fired.add("EARLY_DISCONTINUATION")
    run = 0.0
    for s, _id, _d, total, _dd in sorted(aza, key=lambda x: (x[0], x[1])):
        run += total or 0
    if run > 600000:
        fired.add("CUMULATIVE_DOSE_OVER_LIMIT")
    elif run >= 480000:
        fired.add("CUMULATIVE_DOSE_APPROACHING")
    if sum((E - s).days + 1 for s, _e, _a, E, _f in infos) > 3652:
        fired.add("TREATMENT_DURATION_OVER_LIMIT")
    for s, _id, _d, _t, dd in aza:
        w = weight(s)
        if w and dd and dd / w > 3.0:
            fired.add("DAILY_DOSE_ABOVE_MAX")
    s, e, active, E, _ = infos[-1]
    if not active:
        until = death or AS_OF
        pts_ = [e] + sorted({d for d, t in p.events if t == "clinic_visit" and e < d <= until})
        for a, b in zip(pts_, pts_[1:] + [until]):
            if (b - a).days > (L1 if a < e + 365 * day else L2):
                fired.add("POST_STOP_FOLLOWUP_GAP")
    for (s, e, _first), nxt in zip(eps, [x[0] for x in eps[1:]] + [None]):
        for d, t in p.events:
            if t == "relapse" and e < d <= AS_OF - 90 * day and (nxt is None or d < nxt) \
                    and not any(d <= x <= d + 90 * day for x in [a[0] for a in aza] + list(p.dmt)):
                fired.add("RELAPSE_AFTER_STOP_UNTREATED")
    before = [d for d in p.dmt if d < init] + [d for d, t in p.events if t == "dmt_contraindication" and d < init]
    if not before:
        fired.add("NO_PRIOR_DMT")
    return fired


def test_scenarios_fire_their_rules(registry):
    out, _ = registry
    _, scen = read(out / "scenarios.csv")
    pts = load(out, {s["patient_id"] for s in scen})
    missing = []
    fired_any: dict[str, int] = defaultdict(int)
    for s in scen:
        fired = evaluate(pts[s["patient_id"]])
        for r in fired:
            fired_any[r] += 1
        want = {r for r in s["expected_rules"].split(";") if r}
        if want - fired:
            missing.append((s["patient_id"], s["scenario"], sorted(want - fired), sorted(fired)))
    assert not missing, missing[:10]
    # every rule fires for some patients and for no more than a minority
    for rule in ALL_RULES:
        assert 0 < fired_any[rule] < N * 0.4, (rule, fired_any[rule])


def test_clean_scenarios_mostly_clean(registry):
    """Patients built to trigger nothing may show incidental monitoring lapses, never harm or dose findings."""
    out, _ = registry
    _, scen = read(out / "scenarios.csv")
    clean = [s for s in scen if not s["expected_rules"] and s["scenario"].startswith("well_managed")]
    pts = load(out, {s["patient_id"] for s in clean})
    serious = {"TPMT_DEFICIENT_PRESCRIBED", "TPMT_INTERMEDIATE_HIGH_DOSE", "CUMULATIVE_DOSE_OVER_LIMIT",
               "CUMULATIVE_DOSE_APPROACHING", "TREATMENT_DURATION_OVER_LIMIT", "DAILY_DOSE_ABOVE_MAX",
               "CYTOPENIA_ON_TREATMENT", "LIVER_TOXICITY_ON_TREATMENT", "INFECTION_ON_TREATMENT",
               "POST_STOP_FOLLOWUP_GAP", "NO_PRIOR_DMT", "EARLY_DISCONTINUATION"}
    flagged = [(s["patient_id"], sorted(evaluate(pts[s["patient_id"]]))) for s in clean]
    assert not [f for f in flagged if serious & set(f[1])]
    assert sum(1 for f in flagged if f[1]) < len(clean) * 0.5
