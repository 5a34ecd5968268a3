"""The company mailbox over real IMAP: a Dovecot on loopback, started by the test session.

Invoices are learnt from the Sent folder (found by its \\Sent flag), replies are taken in
from the inbox exactly once across restarts, a UIDVALIDITY change and a connection cut in
the middle of a fetch, and each reply is matched to its client and invoices."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from fpdf import FPDF

from bot.core.policy import gate_reason
from bot.simclock import SimulatedClock
from tests.support import world
from tests.support.dovecot import PASSWORD, SENT
from tests.support.proxy import CuttingProxy

NOW = datetime.now(UTC).replace(microsecond=0)


def invoice_pdf(number: str, total: str, issued: str, due: str) -> bytes:
    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", "B", 16)
    doc.cell(0, 10, "Example Ltd", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("helvetica", size=11)
    for line in (f"Invoice number: {number}", f"Invoice date: {issued}", f"Due date: {due}",
                 "Consulting, March   1   EUR 1,000.00", f"Total due: {total}"):
        doc.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def invoice_email(number: str, to: str = "Acme GmbH <ap@acme.test>", *,
                  total: str = "EUR 1,250.00", when: datetime = NOW) -> bytes:
    m = EmailMessage()
    m["From"] = "Example Ltd <accounts@example.com>"
    m["To"] = to
    m["Subject"] = f"Invoice {number} from Example Ltd"
    m["Date"] = format_datetime(when)
    m["Message-ID"] = f"<{number.lower()}@billing.example.com>"
    m.set_content("Please find our invoice attached.\n")
    m.add_attachment(invoice_pdf(number, total, "2026-03-01", "2026-03-31"),
                     maintype="application", subtype="pdf", filename=f"{number}.pdf")
    return m.as_bytes()


def mail(sender: str, subject: str, body: str = "Hello", *, to: str = "accounts@example.com",
         refs: str | None = None, when: datetime = NOW, headers: dict[str, str] | None = None,
         ) -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = to
    m["Subject"] = subject
    m["Date"] = format_datetime(when)
    m["Message-ID"] = make_msgid(domain="client.test")
    if refs:
        m["In-Reply-To"] = refs
        m["References"] = refs
    for k, v in (headers or {}).items():
        m[k] = v
    m.set_content(body)
    return m.as_bytes()


@pytest.fixture
def mailbox_bot(dovecot, tls, tmp_path, make_bot):
    """A bot watching a fresh mailbox of the test Dovecot; returns (user, make)."""
    user = dovecot.new_user()

    def make(clock=None, **imap_more):
        cfg = world.config(tmp_path, imap=world.imap(dovecot.tls_port, user, **imap_more))
        return make_bot(cfg, clock or SimulatedClock(NOW), cafile=tls[0])
    return user, make


def test_invoices_in_the_sent_folder_are_learnt_with_their_pdf_and_message_id(dovecot, mailbox_bot):
    user, make = mailbox_bot
    dovecot.append(user, SENT, invoice_email("INV-1001"))
    dovecot.append(user, SENT, mail("accounts@example.com", "Lunch on Friday?",
                                    to="friend@elsewhere.test"))
    bot = make()
    bot.loop.run_pass()
    (inv,) = bot.ledger.invoices()
    assert (inv.number, inv.amount, inv.currency) == ("INV-1001", Decimal("1250.00"), "EUR")
    assert (inv.issue_date, inv.due_date) == (date(2026, 3, 1), date(2026, 3, 31))
    assert inv.message_id == "<inv-1001@billing.example.com>"
    assert inv.pdf_path and Path(inv.pdf_path).read_bytes().startswith(b"%PDF")
    client = bot.ledger.client(inv.client_id)
    assert client is not None and (client.name, client.email) == ("Acme GmbH", "ap@acme.test")
    kinds = sorted(m["kind"] for m in bot.ledger.messages(role="sent"))
    assert kinds == ["invoice", "other"]


def test_every_reply_is_taken_in_exactly_once_across_a_restart(dovecot, mailbox_bot):
    user, make = mailbox_bot
    for n in range(5):
        dovecot.append(user, "INBOX", mail("ap@acme.test", f"Question {n}"))
    bot = make()
    bot.loop.run_pass()
    assert len(bot.ledger.messages(role="inbox")) == 5
    bot.close()
    for n in range(5, 8):
        dovecot.append(user, "INBOX", mail("ap@acme.test", f"Question {n}"))
    again = make()
    again.loop.run_pass()
    again.loop.run_pass()
    subjects = [m["subject"] for m in again.ledger.messages(role="inbox")]
    assert subjects == [f"Question {n}" for n in range(8)]


def test_a_new_uidvalidity_reads_the_folder_again_without_taking_anything_twice(dovecot,
                                                                                mailbox_bot):
    user, make = mailbox_bot
    first = [mail("ap@acme.test", f"Reply {n}") for n in range(3)]
    for raw in first:
        dovecot.append(user, "Replies", raw)
    bot = make(inbox_folder="Replies")
    bot.loop.run_pass()
    old = bot.ledger.cursor("Replies")
    # the folder is rebuilt (a server migration, a restore): new UIDVALIDITY, same messages
    with dovecot.client(user) as c:
        c.delete_folder("Replies")
        c.create_folder("Replies")
    for raw in [*first, mail("ap@acme.test", "Reply 3")]:
        dovecot.append(user, "Replies", raw)
    bot.loop.run_pass()
    bot.loop.run_pass()
    assert [m["subject"] for m in bot.ledger.messages(role="inbox")] == \
        ["Reply 0", "Reply 1", "Reply 2", "Reply 3"]
    new = bot.ledger.cursor("Replies")
    assert old is not None and new is not None and new[0] != old[0] and new[1] == 4
    assert any(e["kind"] == "folder_reset" for e in bot.ledger.history())


def test_a_connection_cut_in_the_middle_of_a_fetch_loses_and_repeats_nothing(dovecot, tls,
                                                                               tmp_path, make_bot):
    user = dovecot.new_user()
    for n in range(30):
        dovecot.append(user, "INBOX", mail("ap@acme.test", f"Long reply {n}", "x" * 3000))
    proxy = CuttingProxy(dovecot.tls_port)
    try:
        cfg = world.config(tmp_path, imap=world.imap(proxy.port, user))
        bot = make_bot(cfg, SimulatedClock(NOW), cafile=tls[0])
        assert bot.intake is not None
        bot.intake.batch = 10
        proxy.cut_once_after(40_000)  # well into the first batch's FETCH answer
        bot.loop.run_pass()
        assert proxy.cuts == 1 and proxy.connections >= 2  # it was cut, and reconnected
        bot.loop.run_pass()
        subjects = [m["subject"] for m in bot.ledger.messages(role="inbox")]
        assert subjects == [f"Long reply {n}" for n in range(30)]
    finally:
        proxy.close()


def test_replies_are_matched_by_thread_then_number_then_sender_and_strangers_go_to_review(
        dovecot, mailbox_bot):
    user, make = mailbox_bot
    dovecot.append(user, SENT, invoice_email("INV-2001"))
    dovecot.append(user, SENT, invoice_email("INV-2002", to="Bolt Ltd <pay@bolt.test>"))
    bot = make()
    bot.loop.run_pass()
    dovecot.append(user, "INBOX", mail("ap@acme.test", "Re: Invoice INV-2001",
                                       refs="<inv-2001@billing.example.com>"))
    dovecot.append(user, "INBOX", mail("clerk@bolt.test", "Payment", "We paid inv-2002 today."))
    dovecot.append(user, "INBOX", mail("boss@acme.test", "Hello", "Call me."))
    dovecot.append(user, "INBOX", mail("someone@nowhere.test", "Hi", "Who are you?"))
    dovecot.append(user, "INBOX", mail("fraud@evil.test", "INV-2001", "Pay to our new account"))
    bot.loop.run_pass()
    got = {m["subject"]: m for m in bot.ledger.messages(role="inbox")}
    assert (got["Re: Invoice INV-2001"]["matched_by"], got["Re: Invoice INV-2001"]["invoices"]) \
        == ("thread", ["INV-2001"])
    assert (got["Payment"]["matched_by"], got["Payment"]["invoices"], got["Payment"]["trusted"]) \
        == ("invoice_number", ["INV-2002"], 1)
    assert (got["Hello"]["matched_by"], got["Hello"]["trusted"]) == ("domain", 1)
    assert got["INV-2001"]["trusted"] == 0  # matched, but a stranger: never acted on alone
    assert got["Hi"]["status"] == "review"
    (item,) = [r for r in bot.ledger.review() if r["kind"] == "unmatched_reply"]
    assert "matches no client" in item["summary"]
    history = [e["kind"] for e in bot.ledger.history(invoice="INV-2001")]
    assert history.count("inbox_person") == 3  # the thread, the colleague, the stranger


def test_auto_replies_and_bounces_are_recorded_as_such(dovecot, mailbox_bot):
    user, make = mailbox_bot
    dovecot.append(user, SENT, invoice_email("INV-3001"))
    bot = make()
    bot.loop.run_pass()
    dovecot.append(user, "INBOX", mail(
        "ap@acme.test", "Automatic reply: Invoice INV-3001", "I am out of the office.",
        headers={"Auto-Submitted": "auto-replied"}, refs="<inv-3001@billing.example.com>"))
    bounce = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        "To: accounts@example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {format_datetime(NOW)}\r\nMessage-ID: <b1@mx.example.com>\r\n"
        "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\nFinal-Recipient: rfc822; ap@acme.test\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 no such user\r\n"
        "\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        "From: accounts@example.com\r\nTo: ap@acme.test\r\nSubject: Reminder\r\n"
        "Message-ID: <inv-3001@billing.example.com>\r\n\r\n--b--\r\n").encode()
    dovecot.append(user, "INBOX", bounce)
    bot.loop.run_pass()
    got = {m["kind"]: m for m in bot.ledger.messages(role="inbox")}
    assert set(got) == {"auto_reply", "bounce"}
    assert got["auto_reply"]["invoices"] == ["INV-3001"]
    assert got["bounce"]["client_id"] == "acme gmbh"
    assert got["bounce"]["evidence"]["failed"][0]["address"] == "ap@acme.test"
    assert got["bounce"]["evidence"]["failed"][0]["status"] == "5.1.1"


def test_a_hand_written_email_to_a_client_holds_its_reminders_for_the_quiet_period(
        dovecot, mailbox_bot):
    user, make = mailbox_bot
    tuesday = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)  # INV-4001 is two weeks overdue
    dovecot.append(user, SENT, invoice_email("INV-4001", when=tuesday - timedelta(days=44)))
    dovecot.append(user, SENT, mail("accounts@example.com", "About your account",
                                    "Dear Anna, can we talk?", to="ap@acme.test",
                                    when=tuesday - timedelta(hours=1)))
    clock = SimulatedClock(tuesday)
    bot = make(clock)
    bot.loop.run_pass()
    client = bot.ledger.find_client("ap@acme.test")
    assert client is not None and client.quiet_until == tuesday + timedelta(days=3, hours=-1)
    assert not bot.ledger.outbox()  # held, though a reminder is due
    why = gate_reason(clock(), client, bot.reminders.rules, [])
    assert why and why.startswith("a person wrote to the client recently")
    events = [e for e in bot.ledger.history(client_id=client.id) if e["kind"] == "quiet_period"]
    assert "About your account" in events[0]["detail"]["reason"]
    clock.advance(timedelta(days=3))  # Friday: the quiet period is over
    bot.loop.run_pass()
    assert [r.tier for r in bot.ledger.outbox()] == ["firm"]


def test_what_smtp_sent_is_filed_in_the_sent_folder_once(dovecot, smtp_server, tls, tmp_path,
                                                          make_bot):
    user = dovecot.new_user()
    dovecot.append(user, SENT, invoice_email("INV-5001"))
    clock = SimulatedClock(datetime(2026, 4, 14, 9, 0, tzinfo=UTC))  # a Tuesday, 15 days late
    cfg = world.config(tmp_path, port=smtp_server.port, security="starttls", login=True,
                       imap=world.imap(dovecot.tls_port, user))
    bot = make_bot(cfg, clock, cafile=tls[0])
    bot.loop.run_pass()
    assert len(smtp_server.messages) == 1
    clock.advance(timedelta(minutes=5))
    bot.loop.run_pass()
    bot.loop.run_pass()
    with dovecot.client(user) as c:
        c.select_folder(SENT, readonly=True)
        sent_id = smtp_server.messages[0].message["Message-ID"]
        assert len(c.search(["HEADER", "Message-ID", sent_id])) == 1
    mine = [m for m in bot.ledger.messages(role="sent") if m["message_id"] == sent_id]
    assert mine and mine[0]["kind"] == "own"  # its own copy is not mistaken for anything


def test_a_send_interrupted_by_a_crash_is_settled_from_the_sent_folder(dovecot, smtp_server, tls,
                                                                        tmp_path, make_bot):
    user = dovecot.new_user()
    dovecot.append(user, SENT, invoice_email("INV-6001"))
    dovecot.append(user, SENT, invoice_email("INV-6002", to="Bolt Ltd <pay@bolt.test>"))
    clock = SimulatedClock(datetime(2026, 4, 14, 9, 0, tzinfo=UTC))
    cfg = world.config(tmp_path, port=smtp_server.port, security="starttls", login=True,
                       imap=world.imap(dovecot.tls_port, user))
    bot = make_bot(cfg, clock, cafile=tls[0])
    bot.intake.take_in_sent()
    bot.reminders.plan_reminders()
    rows = bot.ledger.outbox()
    assert len(rows) == 2
    # a crash right after the claim: one email did reach the server (and its Sent copy),
    # the other never left
    for r, mid in zip(rows, ["<delivered@example.com>", "<lost@example.com>"], strict=True):
        assert bot.ledger.claim(r.id, clock(), mid)
    delivered = EmailMessage()
    delivered["From"], delivered["To"] = "accounts@example.com", "ap@acme.test"
    delivered["Subject"], delivered["Message-ID"] = "Reminder", "<delivered@example.com>"
    delivered.set_content("...")
    dovecot.append(user, SENT, bytes(delivered))
    clock.advance(timedelta(minutes=30))
    bot.loop.run_pass()
    status = {r.message_id: r.status for r in bot.ledger.outbox()}
    assert status == {"<delivered@example.com>": "sent", "<lost@example.com>": "unknown"}
    assert not smtp_server.messages  # nothing was sent again on its own


def test_a_message_that_cannot_be_read_is_quarantined_and_the_loop_goes_on(dovecot, mailbox_bot,
                                                                           monkeypatch):
    user, make = mailbox_bot
    from bot.core import automail
    real = automail.recognise

    def fussy(msg):
        if "poison" in str(msg.get("Subject", "")):
            raise ValueError("cannot cope")
        return real(msg)
    monkeypatch.setattr(automail, "recognise", fussy)
    dovecot.append(user, "INBOX", mail("ap@acme.test", "poison"))
    dovecot.append(user, "INBOX", mail("ap@acme.test", "fine"))
    bot = make()
    bot.loop.run_pass()
    kinds = [(m["subject"] or m["kind"]) for m in bot.ledger.messages(role="inbox")]
    assert kinds == ["unreadable", "fine"]
    (item,) = [r for r in bot.ledger.review() if r["kind"] == "quarantine"]
    assert "ValueError" in json.dumps(item["detail"]) and "could not be read" in item["summary"]


def test_four_invoice_layouts_and_a_factur_x_are_learnt_and_a_scan_goes_to_review(
        dovecot, tls, tmp_path, root):
    """Through the real Sent folder and the `arbot` command, as an admin would run it."""
    import os
    import subprocess
    import sys

    from tests.support import invoices as inv
    user = dovecot.new_user()
    sent = [
        inv.invoice_email(inv.english_invoice("INV-2026-0042"), to="Client Name Ltd <ap@uk.test>",
                          message_id="<a@billing.example.com>"),
        inv.invoice_email(inv.german_invoice("RE-2026/114"), subject="Ihre Rechnung RE-2026/114",
                          to="Kunde GmbH <buchhaltung@kunde.test>",
                          message_id="<b@billing.example.com>"),
        inv.invoice_email(inv.us_invoice(), subject="Your invoice from Example",
                          filename="invoice_10234.pdf", to="Client Inc <ap@us.test>",
                          message_id="<c@billing.example.com>"),
        inv.invoice_email(inv.swiss_invoice("2026-118"), subject="Rechnung 2026-118",
                          to="Kunde AG <kreditoren@kunde-ag.test>",
                          message_id="<d@billing.example.com>"),
        inv.invoice_email(inv.facturx_invoice(xml=inv.cii_xml("FX-2026-7")),
                          subject="Rechnung FX-2026-7", to="Käufer GmbH <ap@kaeufer.test>",
                          message_id="<e@billing.example.com>"),
        inv.invoice_email(inv.scanned_invoice(), subject="Invoice INV-77",
                          to="Scan Ltd <ap@scan.test>", message_id="<f@billing.example.com>"),
    ]
    for msg in sent:
        dovecot.append(user, SENT, msg.as_bytes())
    config = tmp_path / "arbot.toml"
    config.write_text(f"""
[database]
path = "{tmp_path / 'arbot.db'}"
[mail]
from_address = "billing@example.com"
[smtp]
host = "127.0.0.1"
port = 9
security = "none"
[imap]
host = "127.0.0.1"
port = {dovecot.tls_port}
security = "tls"
username = "{user}"
password_env = "IMAP_PW"
""")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "IMAP_PW": PASSWORD,
           "SSL_CERT_FILE": tls[0]}

    def arbot(*args: str) -> str:
        r = subprocess.run([sys.executable, "-m", "bot", "--config", str(config), *args],
                           capture_output=True, text=True, env=env, cwd=root, timeout=120)
        assert r.returncode == 0, r.stderr
        return r.stdout

    arbot("once", "--now", "2026-03-15T08:00:00+00:00")  # a Sunday: nothing is sent
    got = {i["number"]: i for i in json.loads(arbot("invoices", "--json"))}
    assert set(got) == {"INV-2026-0042", "RE-2026/114", "10234", "2026-118", "FX-2026-7"}
    assert (got["INV-2026-0042"]["amount"], got["INV-2026-0042"]["currency"],
            got["INV-2026-0042"]["due_date"]) == ("1250.00", "GBP", "2026-04-13")
    assert (got["RE-2026/114"]["amount"], got["RE-2026/114"]["due_date"]) == \
        ("1234.56", "2026-03-28")  # 14 days' terms
    assert (got["10234"]["currency"], got["10234"]["due_date"]) == ("USD", "2026-04-13")
    assert (got["2026-118"]["amount"], got["2026-118"]["currency"]) == ("5600.00", "CHF")
    assert (got["FX-2026-7"]["amount"], got["FX-2026-7"]["email"]) == \
        ("1190.00", "ap@kaeufer.test")
    for i in got.values():
        assert {"number", "client", "email", "amount", "balance", "currency", "due_date",
                "state"} <= set(i)
    review = arbot("review")
    assert "INV-77" in review and "amount" in review
