"""The audit rules: episodes, then one SQL file per rule (sql/rules/<RULE_ID>.sql), then the summary.

A rule file's header says its severity, its population (the patients it could fire for: a file of
sql/populations/), what optional input it requires, and when it fires. The file selects only its findings;
this module adds the finding_id, rule_id, severity and site, and records each rule's denominator.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Mapping

import duckdb

from .profiles import Profile
from .sql import bind, header, load_sql, run_many, run_sql, scalar, sql_files, statements

SEVERITIES = ("critical", "high", "medium", "low", "info")
# When a rule's finding is current (RULES.md "Acting on findings"), named in its header: sql/findings/status.sql
CURRENT_WHEN = ("always", "active_patient", "latest_regimen", "xoi_recent", "recent_start", "recent_key",
                "open_window", "recent_relapse", "never")
FINDINGS_CSV_EXTRA = ("current", "first_seen", "review_status")  # findings.csv after FINDING_COLUMNS (CONTRACT.md version 2)
FINDING_COLUMNS = ("finding_id", "rule_id", "severity", "patient_id", "site_id", "episode_start", "test",
                   "key_date", "window_start", "window_end", "value", "threshold", "detail")


@dataclass(frozen=True)
class Rule:
    rule_id: str
    severity: str
    population: str
    requires: tuple[str, ...]
    fires_when: str
    sql: str
    current_when: str = "never"
    title: str = ""  # plain English, for the worklist, report and xlsx
    why: str = ""  # why it matters, with the guidance it comes from

    def missing_inputs(self, available: set[str]) -> list[str]:
        return [r for r in self.requires if r not in available]


def discover_rules() -> list[Rule]:
    rules = []
    for path in sql_files("rules"):
        text = load_sql(f"rules/{path.name}")
        fields = header(text)
        rule_id = fields.get("rule")
        if rule_id != path.stem:
            raise ValueError(f"sql/rules/{path.name}: header 'rule:' must be {path.stem}")
        severity = fields.get("severity", "")
        if severity not in SEVERITIES:
            raise ValueError(f"sql/rules/{path.name}: severity must be one of {', '.join(SEVERITIES)}")
        population = fields.get("population", "")
        if not (population and (path.parent.parent / "populations" / f"{population}.sql").is_file()):
            raise ValueError(f"sql/rules/{path.name}: population {population!r} has no sql/populations file")
        requires = tuple(r.strip() for r in fields.get("requires", "").split(",") if r.strip())
        current_when = fields.get("current", "")
        if current_when not in CURRENT_WHEN:
            raise ValueError(f"sql/rules/{path.name}: header 'current:' must be one of {', '.join(CURRENT_WHEN)}")
        title, why = fields.get("title", ""), fields.get("why", "")
        if not title or not why:
            raise ValueError(f"sql/rules/{path.name}: the header needs a 'title:' and a 'why:' line")
        rules.append(Rule(rule_id, severity, population, requires, fields.get("fires when", ""), text,
                          current_when, title, why))
    return rules


def build_schedule_windows(con, profile: Profile) -> None:
    run_sql(con, "profile/schedule_windows.sql")
    run_many(con, "profile/schedule_window_insert.sql",
             [{"window_no": w.window_no, "start_offset": w.start_offset, "end_offset": w.end_offset}
              for w in profile.induction_windows])


def build_episodes(con, profile: Profile, params: Mapping[str, Any]) -> None:
    """Schedule windows from the profile, then sql/audit/* (episodes, initiations, ...)."""
    build_schedule_windows(con, profile)
    for path in sql_files("audit"):
        run_sql(con, f"audit/{path.name}", params)


def _create_temp(con, table: str, sql: str, params: Mapping[str, Any]) -> None:
    found = statements(sql)
    if len(found) != 1 or found[0].type != duckdb.StatementType.SELECT:
        raise ValueError(f"a rule or population file must hold one select statement (found {len(found)})")
    statement = found[0].query.rstrip().rstrip(";")
    # Composition of two trusted files (a fixed prefix and the rule's own select): no user data.
    con.execute(f"create or replace temp table {table} as {statement}", bind(statement, params))


def run_rules(con, params: Mapping[str, Any], available_inputs: set[str], only: set[str] | None = None,
              progress=None) -> list[dict]:
    """Run every rule into `findings`, `rule_population`, `rule_catalog`, `rule_summary`.
    Returns the catalogue rows (rule_id, evaluated, findings, seconds, ...)."""
    run_sql(con, "findings/00_create.sql")
    catalogue = []
    rules = discover_rules()
    for rule in rules:
        if only is not None and rule.rule_id not in only:
            continue
        missing = rule.missing_inputs(available_inputs)
        row = {"rule_id": rule.rule_id, "severity": rule.severity, "population": rule.population,
               "requires": ", ".join(rule.requires), "fires_when": rule.fires_when, "title": rule.title,
               "why": rule.why}
        if missing:
            row.update(evaluated=False, not_evaluated_reason=f"needs the optional {', '.join(missing)} file",
                       findings=None, seconds=None)
        else:
            started = time.perf_counter()
            _create_temp(con, "population_output", load_sql(f"populations/{rule.population}.sql"), params)
            run_sql(con, "findings/append_population.sql", {"rule_id": rule.rule_id})
            _create_temp(con, "rule_output", rule.sql, params)
            before = scalar(con, "findings/count.sql")
            run_sql(con, "findings/append_rule.sql", {"rule_id": rule.rule_id, "severity": rule.severity})
            after = scalar(con, "findings/count.sql")
            row.update(evaluated=True, not_evaluated_reason=None, findings=after - before,
                       seconds=round(time.perf_counter() - started, 3))
        run_sql(con, "findings/catalog_insert.sql", row)
        catalogue.append(row)
        if progress:
            progress(row)
    run_sql(con, "findings/drop_outputs.sql")
    run_sql(con, "findings/summary.sql")
    run_sql(con, "findings/rule_current.sql")
    run_many(con, "findings/rule_current_insert.sql",
             [{"rule_id": r.rule_id, "current_when": r.current_when} for r in rules])
    run_sql(con, "findings/status.sql", params)
    return catalogue
