"""The nightly digest: counts only, sent by SMTP to a local server the test starts (aiosmtpd), with no
patient id in it; and the run-failure notice the Dagster sensor sends."""

import csv
import datetime as dt
import socket
import time

import pytest

from pipelines.cli import run_audit
from pipelines.lib.synthetic import generate

AS_OF = dt.date(2026, 11, 26)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(monkeypatch):
    controller_mod = pytest.importorskip("aiosmtpd.controller")

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
            return "250 OK"

    inbox = Inbox()
    port = _free_port()
    controller = controller_mod.Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("AZA_AUDIT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("AZA_AUDIT_SMTP_PORT", str(port))
    monkeypatch.setenv("AZA_AUDIT_SMTP_TO", "qi-team@example.org, pharmacy@example.org")
    yield inbox
    controller.stop()


def test_the_digest_is_sent_and_holds_no_patient_id(smtp_server, tmp_path):
    extracts = tmp_path / "extracts"
    generate(extracts, patients=200, seed=5, as_of=AS_OF)
    out = tmp_path / "out"
    assert run_audit(extracts, out=out, as_of=AS_OF, db=tmp_path / "a.duckdb", quiet=True,
                     reviews=tmp_path / "reviews") == 0
    for _ in range(50):
        if smtp_server.messages:
            break
        time.sleep(0.1)
    assert len(smtp_server.messages) == 1
    recipients, message = smtp_server.messages[0]
    assert sorted(recipients) == ["pharmacy@example.org", "qi-team@example.org"]
    digest = (out / "digest.txt").read_text(encoding="utf-8")
    assert "Patients on the worklist:" in digest and "by site" in digest
    assert digest.strip().splitlines()[0] in message
    with open(out / "findings.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    identifiers = {r["patient_id"] for r in rows} | {r["finding_id"] for r in rows}
    assert identifiers
    for text in (digest, message):
        assert not [i for i in identifiers if i in text]
    # the digest's counts agree with findings.csv
    patients = len({r["patient_id"] for r in rows if r["current"] == "true"})
    assert f"Patients on the worklist: {patients:,} " in digest


def test_the_failure_notice_names_the_run_only(smtp_server):
    from pipelines.lib.worklist.digest import send_failure_notice

    assert send_failure_notice("run-123", "nightly_audit", dt.datetime(2026, 11, 26, 2, 5)) == 2
    (recipients, message), = smtp_server.messages
    assert "run-123 failed at 2026-11-26 02:05" in message


def test_without_smtp_settings_nothing_is_sent(tmp_path, monkeypatch):
    from pipelines.lib.worklist import digest

    monkeypatch.delenv("AZA_AUDIT_SMTP_HOST", raising=False)
    assert not digest.smtp_configured()
    assert digest.send("subject", "body") == 0
