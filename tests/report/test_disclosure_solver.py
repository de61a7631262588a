"""An attacker's view of the shareable report: every published count of the rule table and the indicator
table, every arithmetic relation between them (sites add up to the total, an indicator is a rule's
population split by flagged or not, findings >= patients flagged), solved as an integer programme for
each hidden cell's smallest and largest possible value. No cell hidden because it is small may be pinned
down to fewer values than the suppression band holds (0 to 7: a reader learns "7 or fewer", never more).

The registry is the 300-patient synthetic demo (7 sites), where the first version leaked a rule's hidden
count through the indicator table (INDUCTION_MONITORING_GAP at S05: {6, 7}, true 7)."""

import datetime as dt
import itertools

import duckdb
import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from pipelines.lib import audit, disclosure
from pipelines.lib.outputs import build_run_info
from pipelines.lib.report import data as report_data
from pipelines.lib.report.indicators import RULE_LINKS
from pipelines.lib.settings import RunSettings
from pipelines.lib.synthetic import generate

AS_OF = dt.date(2026, 11, 26)
MIN_WIDTH = 7  # a hidden small count must stay spread over at least the suppression band (0..7: 8 values)
MET_WHEN_FLAGGED = {"over_600g": True, "over_10_years": True, "induction_complete": False,
                    "monitoring_up_to_date": False}


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    root = tmp_path_factory.mktemp("solver")
    generate(root / "extracts", patients=300, seed=20261126, as_of=AS_OF)
    ctx = audit.RunContext.create(RunSettings(extracts_dir=root / "extracts", as_of=AS_OF, db_path=root / "a.duckdb"))
    con = duckdb.connect()
    audit.run(con, ctx, checks=False, outputs=False)
    run_info = build_run_info(con, ctx)
    agg = report_data.gather(con, run_info, None)
    shared = disclosure.apply(agg, disclosure.params_from_profile(run_info["profile"]))
    con.close()
    return agg, shared, disclosure.params_from_profile(run_info["profile"])


class Programme:
    """Integer variables for table cells, linear constraints, min/max of one variable."""

    def __init__(self):
        self.index: dict[tuple, int] = {}
        self.rows: list[tuple[dict[int, float], float, float]] = []
        self.lower: list[float] = []
        self.upper: list[float] = []

    def var(self, key) -> int:
        if key not in self.index:
            self.index[key] = len(self.index)
            self.lower.append(0)
            self.upper.append(np.inf)
        return self.index[key]

    def bound(self, key, low, high):
        i = self.var(key)
        self.lower[i], self.upper[i] = max(self.lower[i], low), min(self.upper[i], high)

    def add(self, terms: dict, low=-np.inf, high=np.inf):
        self.rows.append(({self.var(k): c for k, c in terms.items()}, low, high))

    def extent(self, key) -> tuple[float, float]:
        n = len(self.index)
        matrix = np.zeros((len(self.rows), n))
        for r, (terms, _, _) in enumerate(self.rows):
            for i, c in terms.items():
                matrix[r, i] += c
        constraints = LinearConstraint(matrix, [r[1] for r in self.rows], [r[2] for r in self.rows])
        bounds = Bounds(self.lower, [min(u, 1e6) for u in self.upper])
        out = []
        for sign in (1, -1):
            c = np.zeros(n)
            c[self.index[key]] = sign
            result = milp(c, constraints=constraints, integrality=np.ones(n), bounds=bounds)
            assert result.success, result.message
            out.append(sign * result.fun)
        return out[0], out[1]


def _cells(df, key_col, counts):
    for row in df.to_dict("records"):
        for c in counts:
            yield (row[key_col], str(row["site_id"]), c), row[c]


def test_no_hidden_small_count_can_be_worked_back(tables):
    agg, shared, params = tables
    base, threshold = params["base"], params["threshold"]
    prog = Programme()
    truth = {}
    tables_spec = (("R", agg.rule_summary, shared.rule_summary, "rule_id",
                    ("patients_evaluated", "patients_flagged", "findings")),
                   ("I", agg.indicators, shared.indicators, "indicator", ("numerator", "denominator")))
    hidden_small = []
    for tag, true_df, shown_df, key_col, counts in tables_spec:
        true_cells = dict(_cells(true_df, key_col, counts))
        for (key, site, col), value in _cells(shown_df, key_col, counts):
            if value is None:
                continue
            truth[(tag, key, site, col)] = int(true_cells[(key, site, col)])
            if value is disclosure.SUPPRESSED:
                prog.var((tag, key, site, col))
                if truth[(tag, key, site, col)] <= threshold:
                    hidden_small.append((tag, key, site, col))
            else:  # published: the true count is within the rounding of what is shown, and above threshold
                prog.bound((tag, key, site, col), max(value - base // 2, threshold + 1), value + base // 2)
        # sites add up to the total
        for key, col in {(k[1], k[3]) for k in truth if k[0] == tag}:
            sites = [k for k in truth if k[0] == tag and k[1] == key and k[3] == col and k[2] != "ALL"]
            total = (tag, key, "ALL", col)
            if total in truth and sites:
                prog.add({**{s: 1 for s in sites}, total: -1}, 0, 0)
    keys = {k[:3] for k in truth}
    for tag, key, site in keys:
        if tag == "R":
            ev, fl, fi = ((tag, key, site, c) for c in ("patients_evaluated", "patients_flagged", "findings"))
            if ev in truth and fl in truth:
                prog.add({ev: 1, fl: -1}, 0)
            if fl in truth and fi in truth:
                prog.add({fi: 1, fl: -1}, 0)
        else:
            num, den = (tag, key, site, "numerator"), (tag, key, site, "denominator")
            prog.add({den: 1, num: -1}, 0)
            rules = RULE_LINKS.get(key)
            if not rules:
                continue
            ev = ("R", rules[0], site, "patients_evaluated")
            if ev not in truth:
                continue
            prog.add({den: 1, ev: -1}, 0, 0)
            flags = [("R", r, site, "patients_flagged") for r in rules]
            if key in MET_WHEN_FLAGGED:
                if MET_WHEN_FLAGGED[key]:
                    prog.add({num: 1, flags[0]: -1}, 0, 0)
                else:
                    prog.add({num: 1, ev: -1, flags[0]: 1}, 0, 0)
            else:  # TPMT: not flagged by either rule
                for flag in flags:
                    prog.add({num: 1, ev: -1, flag: 1}, -np.inf, 0)
                prog.add({num: 1, ev: -1, **{f: 1 for f in flags}}, 0)
    # the true counts satisfy every constraint (else the programme is wrong, and the test proves nothing)
    for terms, low, high in prog.rows:
        names = {i: k for k, i in prog.index.items()}
        value = sum(c * truth[names[i]] for i, c in terms.items())
        assert low - 1e-9 <= value <= high + 1e-9, terms
    assert hidden_small, "the registry has no small hidden count: the test would prove nothing"
    recovered = []
    for cell in hidden_small:
        low, high = prog.extent(cell)
        if high - low < MIN_WIDTH:
            recovered.append((cell, low, high, truth[cell]))
    assert not recovered, recovered


def test_the_old_disclosure_would_fail_this_test():
    """Without the cross-table step the programme does pin a count down (the test can fail)."""
    from pipelines.lib.disclosure import TABLES, share_frame

    import pandas as pd

    summary = pd.DataFrame({"rule_id": ["R1"] * 3, "site_id": ["ALL", "S1", "S2"],
                            "patients_evaluated": [60, 30, 30], "patients_flagged": [20, 13, 7], "findings": [20, 13, 7]})
    indicators = pd.DataFrame({"indicator": ["ind"] * 3, "site_id": ["ALL", "S1", "S2"],
                               "numerator": [40, 17, 23], "denominator": [60, 30, 30]})
    params = {"threshold": 7, "base": 5}
    alone = share_frame(summary, TABLES["rule_summary"], params)
    shown_alone = share_frame(indicators, TABLES["indicators"], params)
    assert alone.loc[2, "patients_flagged"] is disclosure.SUPPRESSED
    assert shown_alone.loc[2, "numerator"] == 25  # 30 - 25 = 5 +- 4: the hidden 7 is within reach
    rules, shown = disclosure._share_linked(summary, indicators, {"ind": ("R1",)}, params)
    assert shown.loc[2, "numerator"] is disclosure.SUPPRESSED
    assert rules.loc[2, "patients_flagged"] is disclosure.SUPPRESSED
    assert list(itertools.chain(rules["patients_flagged"])).count(disclosure.SUPPRESSED) >= 2
