"""The nightly digest: counts only, safe to email (no patient id, no note, no free text from the data).

`digest.txt` is written into every run's output folder; when `AZA_AUDIT_SMTP_HOST` (and `AZA_AUDIT_SMTP_TO`)
are set, the same text is sent by SMTP after the run is published. `send_failure_notice` is what the
Dagster run-failure sensor sends: the run id and the time, never the error text (which can quote a file).
"""

from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage
from typing import Any

from ..runinfo import RunInfo
from ..settings import env, is_set
from ..sql import query_sql


def counts(con, params: dict[str, Any]) -> dict[str, Any]:
    """The digest's numbers (after `pipelines.lib.worklist.prepare`)."""
    as_of = params["as_of"]
    month_end = (dt.date(as_of.year + as_of.month // 12, as_of.month % 12 + 1, 1) - dt.timedelta(days=1))
    row = query_sql(con, "worklist/digest_counts.sql", {"as_of": as_of, "month_end": month_end}).fetchall()[0]
    names = ("patients", "open_findings", "new_critical", "new_high", "escalated", "unreviewed",
             "still_open_after_action", "exceptions_active", "exceptions_expiring", "resolved")
    out = dict(zip(names, (int(v or 0) for v in row)))
    out["overdue_by_site"] = [(str(site), int(n)) for site, n in
                              query_sql(con, "worklist/digest_overdue_by_site.sql").fetchall()]
    out["month_end"] = month_end
    return out


def text(c: dict[str, Any], run_info: RunInfo | dict[str, Any]) -> str:
    run = RunInfo.of(run_info)
    registry = run.registry_name
    lines = [
        f"{registry}: azathioprine audit, nightly digest as of {run.as_of}",
        "",
        f"Patients on the worklist: {c['patients']:,} ({c['open_findings']:,} open findings)",
        f"New tonight: {c['new_critical']:,} critical, {c['new_high']:,} high"
        + (f"; {c['escalated']:,} escalated (due soon became overdue)" if c["escalated"] else ""),
        f"Open findings waiting for a review: {c['unreviewed']:,}",
        f"Still open after action: {c['still_open_after_action']:,}",
        f"Exceptions in force: {c['exceptions_active']:,}, of which expiring by {c['month_end']:%Y-%m-%d}: "
        f"{c['exceptions_expiring']:,}",
        f"Resolved since the previous run: {c['resolved']:,}",
        "",
        "Patients with blood monitoring overdue, by site:",
    ]
    if c["overdue_by_site"]:
        lines += [f"  {site}: {n:,}" for site, n in c["overdue_by_site"]]
    else:
        lines.append("  none")
    lines += ["", "Counts only: open worklist.html or worklist.xlsx in the run's output folder for the patients.",
              f"Run {run.run_id}, profile {run.profile_name}."]
    return "\n".join(lines) + "\n"


def smtp_configured() -> bool:
    return is_set("AZA_AUDIT_SMTP_HOST") and is_set("AZA_AUDIT_SMTP_TO")


def send(subject: str, body: str) -> int:
    """Send a plain-text message to AZA_AUDIT_SMTP_TO; returns the number of recipients (0: not configured)."""
    if not smtp_configured():
        return 0
    recipients = [r.strip() for r in env("AZA_AUDIT_SMTP_TO").split(",") if r.strip()]
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = env("AZA_AUDIT_SMTP_FROM")
    message["To"] = ", ".join(recipients)
    message.set_content(body)
    with smtplib.SMTP(env("AZA_AUDIT_SMTP_HOST"), int(env("AZA_AUDIT_SMTP_PORT")), timeout=30) as server:
        if env("AZA_AUDIT_SMTP_STARTTLS") == "1":
            server.starttls()
        if is_set("AZA_AUDIT_SMTP_USER"):
            server.login(env("AZA_AUDIT_SMTP_USER"), env("AZA_AUDIT_SMTP_PASSWORD"))
        server.send_message(message, to_addrs=recipients)
    return len(recipients)


def send_digest(body: str, run_info: RunInfo | dict[str, Any]) -> int:
    run = RunInfo.of(run_info)
    return send(f"{run.registry_name}: azathioprine audit digest, {run.as_of}", body)


def send_failure_notice(run_id: str, job: str, when: dt.datetime) -> int:
    body = (f"The {job} run {run_id} failed at {when:%Y-%m-%d %H:%M}.\n\n"
            "No report was published tonight; the previous reports are unchanged. The reason is on the run's "
            "page in the Dagster UI (and in the terminal for a command-line run).\n")
    return send(f"aza-audit: the {job} run failed", body)
