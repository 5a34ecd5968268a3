"""The `arbot` command as an admin runs it: a real process, a config file, CSV files."""

from __future__ import annotations

import json
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.support.smtpd import Recorder, free_port

CSV = """Invoice_Number,Client,EMAIL,Amount,Currency,Issue_Date,Due_Date,cc,timezone,locale,country
INV-1,Acme GmbH,ap@acme.test,1234.56,EUR,2026-02-01,2026-03-03,,Europe/Berlin,de_DE,DE
INV-2,Acme GmbH,ap@acme.test,99.00,EUR,2026-02-05,2026-02-06,,Europe/Berlin,de_DE,DE
INV-3,Bolt Ltd,pay@bolt.test,not-money,GBP,2026-02-01,2026-03-03,,,,
INV-4,Bolt Ltd,pay@bolt.test,75.00,GBP,2026-02-01,2026-03-13,,Europe/London,en_GB,GB
"""


def arbot(*args: str, config: Path | None = None, check: bool = True,
          cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "bot", *(["--config", str(config)] if config else []), *args]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=120,
                       env={"PATH": "/usr/bin:/bin", "HOME": str(cwd or Path.cwd())})
    if check and r.returncode != 0:
        raise AssertionError(f"{cmd} exited {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


@pytest.fixture
def relay():
    rec = Recorder()
    port = free_port()
    ctl = Controller(rec, hostname="127.0.0.1", port=port)
    ctl.start()
    rec.port = port  # type: ignore[attr-defined]
    yield rec
    ctl.stop()


@pytest.fixture
def setup(tmp_path, relay):
    config = tmp_path / "arbot.toml"
    config.write_text(f"""
[database]
path = "data/arbot.db"
[mail]
from_address = "accounts@example.com"
[smtp]
host = "127.0.0.1"
port = {relay.port}
security = "none"
[clients]
timezone = "Europe/London"
country = "GB"
""")
    (tmp_path / "invoices.csv").write_text(CSV)
    return config, tmp_path


def test_help_lists_the_commands():
    out = arbot("--help").stdout
    for cmd in ("demo", "check-config", "import", "invoices", "status", "pause", "resume",
                "paid", "approvals", "approve", "reject", "templates", "run", "once", "plan",
                "health"):
        assert cmd in out


def test_a_bad_config_value_exits_non_zero_naming_key_and_value(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[smtp]\nsecurity = "ssl"\n')
    r = arbot("check-config", config=bad, check=False)
    assert r.returncode == 2
    assert "smtp.security = 'ssl'" in r.stderr


def test_check_config_accepts_the_example(root, tmp_path):
    r = arbot("check-config", config=root / "config.example.toml", cwd=tmp_path)
    assert "OK" in r.stdout and "final_notice +30d (approval)" in r.stdout


def test_import_reports_bad_rows_by_line_and_keeps_the_good_ones(setup):
    config, tmp = setup
    r = arbot("import", "invoices", str(tmp / "invoices.csv"), config=config, check=False)
    assert r.returncode == 1
    assert "invoices.csv:4:" in r.stderr and "not-money" in r.stderr
    assert "3 added, 0 updated, 0 unchanged, 1 rejected" in r.stdout
    again = arbot("import", "invoices", str(tmp / "invoices.csv"), config=config, check=False)
    assert "0 added, 0 updated, 3 unchanged" in again.stdout
    rows = json.loads(arbot("invoices", "--json", config=config).stdout)
    assert [r["number"] for r in rows] == ["INV-2", "INV-1", "INV-4"]
    assert set(rows[0]) >= {"number", "client", "email", "amount", "balance", "currency",
                            "due_date", "state"}
    assert rows[1]["amount"] == "1234.56" and rows[1]["state"] == "open"


def test_payments_pause_resume_and_status(setup):
    config, tmp = setup
    arbot("import", "invoices", str(tmp / "invoices.csv"), config=config, check=False)
    (tmp / "payments.csv").write_text("invoice_number,amount,date\nINV-1,234.56,2026-03-05\n")
    assert "1 added" in arbot("import", "payments", str(tmp / "payments.csv"), config=config).stdout
    assert "0 added" in arbot("import", "payments", str(tmp / "payments.csv"),
                              config=config).stdout
    assert "balance now 0.00 EUR (paid)" in arbot("paid", "INV-2", config=config).stdout
    arbot("pause", "Bolt Ltd", config=config)
    status = arbot("status", "--now", "2026-03-20T10:00:00+00:00", config=config).stdout
    assert "Acme GmbH" in status and "1,000.00" in status and "Bolt Ltd (paused)" in status
    arbot("resume", "--client", "pay@bolt.test", config=config)
    assert "(paused)" not in arbot("status", config=config).stdout
    rows = {r["number"]: r for r in json.loads(arbot("invoices", "--json", "--all",
                                                     config=config).stdout)}
    assert rows["INV-1"]["balance"] == "1000.00" and rows["INV-2"]["state"] == "paid"


def test_once_sends_plans_approvals_and_approve_lets_the_escalation_out(setup, relay):
    config, tmp = setup
    arbot("import", "invoices", str(tmp / "invoices.csv"), config=config, check=False)
    # Thursday 2026-03-12 10:00 London: INV-2 is 34 days late (final notice: approval),
    # INV-1 9 days late (reminder), INV-4 due tomorrow (courtesy)
    out = arbot("once", "--now", "2026-03-12T10:00:00+00:00", config=config).stdout
    assert "2 email(s) sent, 1 approval request(s) waiting" in out
    assert sorted(m.recipients[0] for m in relay.messages) == ["ap@acme.test", "pay@bolt.test"]
    listing = arbot("approvals", config=config).stdout
    assert "final_notice" in listing and "INV-2" in listing
    (req,) = json.loads(arbot("approvals", "--json", config=config).stdout)
    assert "approved by ann" in arbot("approve", str(req["id"]), "--as", "ann",
                                      config=config).stdout
    again = arbot("approve", str(req["id"]), "--as", "bob", config=config, check=False)
    assert again.returncode == 2 and "already decided" in again.stderr
    # four days on, the minimum interval has passed: the approved final notice goes out
    arbot("once", "--now", "2026-03-16T09:30:00+00:00", config=config)
    final = [m for m in relay.messages if "INV-2" in m.message.get_body(("plain",)).get_content()
             and m.recipients == ["ap@acme.test"]]
    assert len(final) == 1
    history = arbot("history", "INV-2", config=config).stdout
    assert "approval_requested" in history and "approval_approved" in history
    assert "reminder_sent" in history


def test_plan_shows_sends_and_what_is_held_back_without_sending(setup, relay):
    config, tmp = setup
    arbot("import", "invoices", str(tmp / "invoices.csv"), config=config, check=False)
    out = arbot("plan", "--days", "5", "--now", "2026-03-13T18:00:00+00:00",
                config=config).stdout
    assert "2026-03-14 Saturday" in out and "not a business day" in out
    assert "2026-03-16 Monday" in out and "send" in out and "approval" in out
    assert relay.messages == []


def test_templates_check_and_preview_show_what_the_client_receives(setup, tmp_path):
    config, tmp = setup
    assert "0 problem(s)" in arbot("templates", "check", config=config).stdout
    arbot("import", "invoices", str(tmp / "invoices.csv"), config=config, check=False)
    html = tmp_path / "preview.html"
    eml = tmp_path / "preview.eml"
    out = arbot("templates", "preview", "firm", "--invoice", "INV-1", "--html", str(html),
                "--eml", str(eml), config=config).stdout
    assert "To: Acme GmbH <ap@acme.test>" in out and "Subject:" in out
    assert "INV-1-copy.pdf" in out and "1.234,56" in out  # German client, German formats
    assert "INV-1" in html.read_text()
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert [a.get_filename() for a in msg.iter_attachments()] == ["INV-1-copy.pdf"]

    # messages that follow an event show a plausible one, and say so; no copy with thanks
    out = arbot("templates", "preview", "payment_thanks", "--invoice", "INV-1",
                config=config).stdout
    assert "Note: the preview shows a payment" in out and "Attachments: none" in out
    out = arbot("templates", "preview", "promise_missed", "--invoice", "INV-1", "--locale", "en",
                config=config).stdout
    assert "no promise is recorded" in out and "Template: promise_missed (en)" in out
    r = arbot("templates", "preview", "thank_you", "--invoice", "INV-1", config=config,
              check=False)
    assert r.returncode == 2 and "no message 'thank_you'" in r.stderr and "payment_thanks" in r.stderr


def test_health_reports_on_the_last_pass(setup):
    config, tmp = setup
    assert "no pass yet" in arbot("health", config=config).stdout
    arbot("once", config=config)
    assert arbot("health", config=config).stdout.startswith("healthy: last pass")
    arbot("once", "--now", "2026-01-01T00:00:00+00:00", config=config)
    r = arbot("health", config=config, check=False)
    assert r.returncode == 1 and "unhealthy" in r.stdout


def test_the_demo_runs_with_nothing_configured_and_leaves_eml_files(tmp_path):
    r = arbot("demo", "--out", str(tmp_path / "demo"), cwd=tmp_path)
    assert "sent" in r.stdout and "approval?" in r.stdout and "approved" in r.stdout
    # the mailbox: invoices found in the Sent folder, replies taken in and matched
    assert "found     invoice       INV-1010  in the Sent folder" in r.stdout
    assert "reply     thread        INV-1001" in r.stdout
    assert "auto-reply" in r.stdout and "bounce    thread        INV-1009" in r.stdout
    assert "incomplete_invoice" in r.stdout and "unmatched_reply" in r.stdout
    emls = sorted((tmp_path / "demo" / "sent").glob("*.eml"))
    assert len(emls) >= 10
    msg = message_from_bytes(emls[0].read_bytes(), policy=policy.default)
    assert msg.get_body(("plain",)) is not None and list(msg.iter_attachments())


def test_review_lists_what_needs_a_person_and_resolves_it(setup):
    config, tmp = setup
    from datetime import UTC, datetime

    from bot.ledger import Ledger
    ledger = Ledger(tmp / "data" / "arbot.db")
    now = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
    ledger.add_review("message:1", "incomplete_invoice", "invoice email 'Invoice INV-77' to "
                      "a***@scan.test: could not read amount, due_date", now,
                      detail={"missing": ["amount", "due_date"]})
    ledger.close()
    assert "nothing to review" not in arbot("review", config=config).stdout
    out = arbot("review", config=config).stdout
    assert "INV-77" in out and "missing: amount, due_date" in out and "1 open" in out
    done = arbot("review", "--resolve", "1", "--note", "entered by hand", "--as", "sam",
                 config=config)
    assert "resolved" in done.stdout
    assert arbot("review", config=config).stdout.strip() == "nothing to review"
    (item,) = json.loads(arbot("review", "--all", "--json", config=config).stdout)
    assert (item["resolved_by"], item["resolution"]) == ("sam", "entered by hand")
    r = arbot("review", "--resolve", "1", config=config, check=False)
    assert r.returncode == 2 and "no open review item #1" in r.stderr


def test_classify_asks_the_configured_endpoint_and_prints_the_combined_reading(tmp_path):
    from tests.support.fake_llm import FakeLLM
    fake = FakeLLM().start()
    try:
        config = tmp_path / "arbot.toml"
        config.write_text(f'[database]\npath = "arbot.db"\n[classifier]\nendpoint = "{fake.url}"\n'
                          f'model = "test-model"\ntimeout_seconds = 5\n')
        replies = tmp_path / "replies.jsonl"
        replies.write_text(json.dumps({
            "id": 7, "subject": "Re: Invoice INV-2001", "date": "2026-11-20T10:00:00Z",
            "body": "Portloggen viser ingen av pallene."}) + "\n")
        fake.says("dispute", 0.93, ["ingen av pallene"])
        (line,) = arbot("classify", "--jsonl", str(replies), config=config).stdout.splitlines()
        out = json.loads(line)
        assert (out["id"], out["label"], out["confidence"]) == (7, "dispute", 0.79)
        assert "endpoint: dispute 0.93; rules: nothing found; a person decides" in out["evidence"]
        (asked,) = fake.asked()
        assert asked["body"]["model"] == "test-model"

        (line,) = arbot("classify", "--no-endpoint", "--jsonl", str(replies),
                        config=config).stdout.splitlines()
        assert (json.loads(line)["label"], len(fake.asked())) == ("other", 1)

        fake.fails(502)
        r = arbot("classify", "--jsonl", str(replies), config=config)
        assert json.loads(r.stdout)["label"] == "other"
        assert "HTTP 502" in r.stderr and "the rules decide alone" in r.stderr
    finally:
        fake.stop()
