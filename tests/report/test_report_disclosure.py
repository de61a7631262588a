"""Disclosure control: boundaries of suppress_count, and no suppressed site count recoverable."""

import random

import pandas as pd
import pytest

from pipelines.lib import disclosure
from pipelines.lib.disclosure import shareable_table, suppress_count


@pytest.mark.parametrize("n, expected", [
    (0, None), (1, None), (6, None), (7, None),  # 7 or fewer: suppressed, 0 included
    (8, 10), (9, 10), (10, 10), (12, 10), (13, 15), (17, 15), (18, 20), (102, 100), (103, 105),
])
def test_suppress_count_boundaries(n, expected):
    assert suppress_count(n) == expected


def test_negative_refused():
    with pytest.raises(ValueError):
        suppress_count(-1)


def test_fractional_refused_and_missing_passes():
    with pytest.raises(ValueError):
        suppress_count(2.5)
    assert suppress_count(None) is None
    assert suppress_count(float("nan")) is None
    assert suppress_count(9.0) == 10


def test_parameters_from_profile():
    from pipelines.lib.profiles import load_profile

    profile = load_profile("default").as_dict()
    assert disclosure.params_from_profile(profile) == {"threshold": 7, "base": 5}
    assert suppress_count(10, threshold=10, base=10) is None
    assert suppress_count(11, threshold=10, base=10) == 10


def test_rates_recomputed_from_rounded_counts():
    df = pd.DataFrame({
        "rule_id": ["R"] * 3, "site_id": ["ALL", "A", "B"],
        "den": [33, 19, 14], "num": [13, 9, 4], "rate": [13 / 33, 9 / 19, 4 / 14],
    })
    out = shareable_table(df, ["den", "num"], "site_id", by=["rule_id"], rates={"rate": ("num", "den")})
    total = out[out.site_id == "ALL"].iloc[0]
    assert (total.den, total.num) == (35, 15)
    assert total.rate == pytest.approx(15 / 35)
    # B's numerator is suppressed (4), so A's is suppressed too: no rate for either
    assert out.loc[out.site_id == "B", "num"].isna().all()
    assert out.loc[out.site_id == "A", "num"].isna().all()
    assert out.loc[out.site_id == "A", "rate"].isna().all()


def test_single_site_suppressed_hides_total():
    df = pd.DataFrame({"g": ["x", "x"], "site_id": ["ALL", "A"], "n": [20, 5]})  # not additive: others unknown
    out = shareable_table(df, ["n"], "site_id", by=["g"])
    assert out["n"].isna().all()


def test_missing_counts_stay_missing_and_are_not_suppression():
    df = pd.DataFrame({"rule_id": ["R", "R", "R"], "site_id": ["ALL", "A", "B"], "n": [None, None, None]})
    out = shareable_table(df, ["n"], "site_id", by=["rule_id"])
    assert out["n"].isna().all()


def _recoverable(original: pd.DataFrame, shared: pd.DataFrame, col: str, group: str) -> list:
    """Suppressed site cells that subtraction from the total and the other sites would give back exactly
    (before rounding), i.e. a group with exactly one hidden site cell and a shown total."""
    leaks = []
    for key, part in shared.groupby(group):
        total = part[part.site_id == "ALL"]
        sites = part[part.site_id != "ALL"]
        hidden = sites[sites[col].isna()]
        if len(hidden) == 1 and not total[col].isna().all():
            leaks.append((key, col, hidden.site_id.iloc[0]))
    return leaks


@pytest.mark.parametrize("seed", range(300))
def test_no_suppressed_count_recoverable_from_random_site_tables(seed):
    rng = random.Random(seed)
    rows = []
    for g in range(rng.randint(1, 6)):
        n_sites = rng.randint(1, 8)
        evaluated = [rng.choice([0, 1, 3, 6, 7, 8, 9, 12, 25, 40, 150, rng.randint(0, 400)]) for _ in range(n_sites)]
        flagged = [rng.randint(0, e) for e in evaluated]
        findings = [f + rng.randint(0, 3) * (f > 0) for f in flagged]
        for s in range(n_sites):
            rows.append((f"R{g}", f"S{s}", evaluated[s], flagged[s], findings[s]))
        rows.append((f"R{g}", "ALL", sum(evaluated), sum(flagged), sum(findings)))
    df = pd.DataFrame(rows, columns=["rule_id", "site_id", "evaluated", "flagged", "findings"])
    counts = ["evaluated", "flagged", "findings"]
    out = shareable_table(df, counts, "site_id", by=["rule_id"], rates={"rate": ("flagged", "evaluated")})
    for col in counts:
        # no count <= 7 is shown, every shown count is a multiple of 5 and within 2 of the truth
        shown = out[col].notna()
        assert (df.loc[shown, col] > 7).all()
        assert (out.loc[shown, col] % 5 == 0).all()
        assert ((out.loc[shown, col] - df.loc[shown, col]).abs() <= 2).all()
        # every small count is hidden
        assert out.loc[df[col] <= 7, col].isna().all()
        assert _recoverable(df, out, col, "rule_id") == []
    # rates only from rounded counts
    for _, r in out.iterrows():
        if pd.isna(r.flagged) or pd.isna(r.evaluated) or r.evaluated == 0:
            assert pd.isna(r.rate)
        else:
            assert r.rate == pytest.approx(r.flagged / r.evaluated)


def test_numerator_hidden_with_its_denominator_and_whole_rows_preferred():
    df = pd.DataFrame({
        "rule_id": ["R"] * 4, "site_id": ["ALL", "S1", "S2", "S3"],
        "den": [30, 15, 10, 5], "num": [26, 12, 9, 5],
    })
    out = shareable_table(df, ["den", "num"], "site_id", by=["rule_id"], rates={"rate": ("num", "den")})
    by_site = out.set_index("site_id")
    # S3 is small in both columns; S2 goes with it in both (the smallest other site), S1 and ALL stay
    assert by_site.loc["S3", ["den", "num"]].isna().all()
    assert by_site.loc["S2", ["den", "num"]].isna().all()
    assert (by_site.loc["S1", "den"], by_site.loc["S1", "num"]) == (15, 10)
    for _, row in out.iterrows():
        assert not (pd.isna(row.den) and pd.notna(row.num))
