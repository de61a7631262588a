"""docs/rules.md, written from the rule files themselves (their headers) and the default profile, so the
page a user reads is the specification the code runs: `python -m pipelines.lib.docs` rewrites it, and a
test fails when it is out of date."""

from __future__ import annotations

import sys

from .paths import PROJECT_ROOT
from .profiles import load_profile
from .rules import discover_rules

RULES_PAGE = PROJECT_ROOT / "docs" / "rules.md"


def rules_markdown() -> str:
    from .report.render import with_values

    params = load_profile("default").sql_params()
    lines = [
        "# What each rule checks",
        "",
        "Written from the header of each `sql/rules/<RULE_ID>.sql` (`python -m pipelines.lib.docs` rewrites this",
        "page; a test fails when it is out of date). Numbers are the `default` profile's; another profile",
        "(`profiles/*.toml`) changes them, never the code. A rule's population is its denominator in the rates;",
        "a rule that requires the optional events file is \"not evaluated\" without it, never zero.",
        "",
        "| rule | what it finds | severity | population | fires when |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in discover_rules():
        text = with_values(rule.fires_when, params).replace("|", "\\|")
        requires = f" (requires {', '.join(rule.requires)})" if rule.requires else ""
        plain = f"**{rule.title}**. {rule.why}".replace("|", "\\|")
        lines.append(f"| `{rule.rule_id}` | {plain} | {rule.severity} | {rule.population}{requires} | {text} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    RULES_PAGE.write_text(rules_markdown(), encoding="utf-8")
    print(f"wrote {RULES_PAGE.relative_to(PROJECT_ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
