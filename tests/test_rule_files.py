"""Guards on sql/rules/: every rule has a header the runner accepts, a spec test of its own, binds only
parameters the profile (or the run) provides, and carries no clinical number as a literal."""

from __future__ import annotations

import pytest

from pipelines.lib.paths import PROJECT_ROOT, SQL_DIR
from pipelines.lib.profiles import available_profiles, load_profile
from pipelines.lib.rules import discover_rules
from pipelines.lib.sql import header, load_sql, numeric_literals, parameter_names

RULE_FILES = sorted((SQL_DIR / "rules").glob("*.sql"))
ALLOWED_NUMBERS = {"0", "1"}


def test_there_are_rule_files():
    assert RULE_FILES


def test_discover_rules_accepts_every_header():
    rules = discover_rules()  # raises on a bad rule name, severity or population
    assert sorted(r.rule_id for r in rules) == [p.stem for p in RULE_FILES]
    for rule in rules:
        assert rule.fires_when, f"{rule.rule_id}: the header has no 'fires when:'"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_every_rule_has_its_own_spec_test(path):
    spec = PROJECT_ROOT / "tests" / "spec" / f"test_{path.stem}.py"
    assert spec.is_file(), f"sql/rules/{path.name} has no tests/spec/test_{path.stem}.py"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_no_numeric_literal_other_than_0_or_1(path):
    found = [n for n in numeric_literals(load_sql(f"rules/{path.name}")) if n not in ALLOWED_NUMBERS]
    assert not found, (f"sql/rules/{path.name} has numeric literal(s) {found}: clinical numbers come from the "
                       f"profile as $parameters")


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_every_parameter_is_provided_by_every_profile(path):
    sql = load_sql(f"rules/{path.name}")
    population = header(sql).get("population", "")
    names = set(parameter_names(sql)) | set(parameter_names(load_sql(f"populations/{population}.sql")))
    for profile_name in available_profiles():
        provided = set(load_profile(profile_name).sql_params()) | {"as_of"}
        assert names <= provided, f"{path.stem} under profile {profile_name}: {sorted(names - provided)} unbound"


@pytest.mark.parametrize("sql, expected", [
    ("select 92 as x", ["92"]),
    ("select a + 1, b - 0, c * 2.5 from t", ["1", "0", "2.5"]),
    ("-- a comment with 92 and it's quoted\nselect 'week 4' as s, \"col 7\" from t where x > 0", ["0"]),
    ("select first_tpmt, n1, $weight_lookback_days, t.col2 from t", []),
    ("select 'it''s 5' || x from t -- 600 g", []),
])
def test_numeric_literal_scanner(sql, expected):
    assert numeric_literals(sql) == expected


def test_the_rules_page_is_written_from_the_rule_files():
    from pipelines.lib.docs import RULES_PAGE, rules_markdown

    assert RULES_PAGE.read_text(encoding="utf-8") == rules_markdown(), \
        "docs/rules.md is out of date: run python -m pipelines.lib.docs"
