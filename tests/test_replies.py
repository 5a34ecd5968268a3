"""Acting on replies, end to end: each reply is appended to the test Dovecot's inbox, the
loop runs, and the ledger, the outbox (what reached the SMTP server) and the review list show
what a careful credit controller would have done."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest

from bot.cli import main
from bot.config import ReplyConfig
from bot.core.classify import Label, classify
from bot.core.model import InvoiceState
from bot.core.policy import gate_reason
from bot.replies import can_wait_for
from bot.simclock import SimulatedClock
from bot.slack import views
from tests.support import world

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)    # a Friday, inside the send window
ORIGINAL = "<inv-2001@billing.example.com>"          # the invoice email the replies thread under


def reply(body: str, *, sender: str = "Anna Berg <ap@acme.test>", subject: str = "Re: Invoice INV-2001",
          refs: str | None = ORIGINAL, when: datetime = NOW, headers: dict[str, str] | None = None,
          quote: bool = True) -> bytes:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "ar@example.com"
    m["Subject"] = subject
    m["Date"] = format_datetime(when)
    m["Message-ID"] = make_msgid(domain="acme.test")
    if refs:
        m["In-Reply-To"] = refs
        m["References"] = refs
    for k, v in (headers or {}).items():
        m[k] = v
    m.set_content(body + ("\n\nOn Mon, 16 Nov 2026 at 09:00, Example Accounts <ar@example.com> wrote:\n"
                          "> Invoice INV-2001 is overdue. Please pay EUR 1,250.00 now.\n" if quote else "\n"))
    return m.as_bytes()


def bounce(failed: str, original: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.acme.test>\r\n"
        "To: accounts@example.com\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {format_datetime(NOW)}\r\n"
        "Message-ID: <dsn-1@mx.acme.test>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\n"
        "This is the mail system at host mx.acme.test.\r\n\r\n"
        "I'm sorry to have to inform you that your message could not\r\n"
        "be delivered to one or more recipients.\r\n\r\n"
        f"<{failed}>: host mx.acme.test said: 550 5.1.1 User unknown\r\n\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.acme.test\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        "--b1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original}\r\nSubject: Invoice INV-2001\r\n\r\n"
        "--b1--\r\n").encode()


@pytest.fixture
def office(dovecot, smtp_server, tls, tmp_path, make_bot):
    """A bot on a fresh mailbox and the test SMTP server, with two overdue invoices of one
    client. Returns (bot, clock, deliver) where deliver(raw) appends to the inbox."""
    user = dovecot.new_user()
    cfg = world.config(tmp_path, port=smtp_server.port, security="starttls", login=True,
                       imap=world.imap(dovecot.tls_port, user, save_sent_copies=False))
    clock = SimulatedClock(NOW)
    bot = make_bot(cfg, clock, cafile=tls[0])
    due = NOW.date() - timedelta(days=10)
    pdf = world.pdf(tmp_path, "INV-2001")
    bot.ledger.import_invoices([
        world.row("INV-2001", "Acme GmbH", "ap@acme.test", due, amount="1250.00",
                  cc=("finance@acme.test",), pdf=pdf, message_id=ORIGINAL),
        world.row("INV-2002", "Acme GmbH", "ap@acme.test", due + timedelta(days=5), amount="80.00",
                  cc=("finance@acme.test",), line=3),
    ], NOW)
    return bot, clock, lambda raw: dovecot.append(user, "INBOX", raw), smtp_server, cfg


def state(bot, number: str) -> InvoiceState:
    inv = bot.ledger.invoice(number)
    assert inv is not None
    return inv.state


def open_items(bot, kind: str | None = None) -> list[dict]:
    return [r for r in bot.ledger.review() if kind is None or r["kind"] == kind]


def sent(server, template_words: str) -> list:
    return [m for m in server.messages if template_words in str(m.message["Subject"])]


def test_a_paid_claim_stops_reminders_until_a_person_confirms_receipt_then_thanks(office):
    bot, clock, deliver, server, _ = office
    deliver(reply("Hello, we paid invoice INV-2001 yesterday by bank transfer, reference 2026-4471."))
    bot.loop.run_pass()
    assert state(bot, "INV-2001") == InvoiceState.PAYMENT_CLAIMED
    assert state(bot, "INV-2002") == InvoiceState.OPEN   # not named by the thread: reminded
    assert not any("INV-2001" in str(m.message["Subject"]) for m in server.messages)
    (item,) = open_items(bot, "confirm_payment")
    assert item["detail"]["invoices"] == ["INV-2001"]
    (msg,) = bot.ledger.messages(role="inbox")
    assert (msg["status"], msg["label"]) == ("done", "paid")
    history = [e["kind"] for e in bot.ledger.history("INV-2001")]
    assert "inbox_person" in history and "state" in history

    done = bot.replies.decide(item["id"], "received", actor="sam")
    assert "paid" in done
    assert state(bot, "INV-2001") == InvoiceState.PAID
    bot.loop.run_pass()
    (thanks,) = [m for m in server.messages if "payment" in str(m.message["Subject"]).lower()]
    assert thanks.recipients[0] == "ap@acme.test"
    assert not thanks.message.get_payload()[1:] or all(
        p.get_content_type() != "application/pdf" for p in thanks.message.iter_attachments())


def test_a_payment_not_received_reopens_the_invoice_and_tells_the_client(office):
    bot, clock, deliver, server, _ = office
    deliver(reply("The invoice has already been paid, see the remittance advice."))
    bot.loop.run_pass()
    (item,) = open_items(bot, "confirm_payment")
    bot.replies.decide(item["id"], "not_received", actor="sam")
    assert state(bot, "INV-2001") == InvoiceState.OPEN
    bot.loop.run_pass()
    (told,) = sent(server, "not received your payment")
    assert "INV-2001" in str(told.message["Subject"])
    with pytest.raises(Exception, match="already decided"):
        bot.replies.decide(item["id"], "received", actor="kim")


def test_a_promise_pauses_until_its_date_and_grace_then_the_promise_missed_message(office):
    bot, clock, deliver, server, cfg = office
    deliver(reply("We will transfer the full amount by 4 December 2026."))
    bot.loop.run_pass()
    inv = bot.ledger.invoice("INV-2001")
    assert inv is not None and inv.state == InvoiceState.PROMISED
    assert inv.promised_date == date(2026, 12, 4)
    assert not any("INV-2001" in str(m.message["Subject"]) for m in server.messages)

    clock.advance(timedelta(days=17))   # 7 Dec: inside the grace period
    bot.loop.run_pass()
    assert state(bot, "INV-2001") == InvoiceState.PROMISED
    clock.advance(timedelta(days=1))    # 8 Dec: the grace period is over
    bot.loop.run_pass()
    assert state(bot, "INV-2001") == InvoiceState.OPEN
    missed = [m for m in server.messages if "INV-2001" in m.message.get_body(("plain",)).get_content()
              and "planned to pay" in m.message.get_body(("plain",)).get_content()]
    assert len(missed) == 1
    assert "December 4, 2026" in missed[0].message.get_body(("plain",)).get_content()


def test_a_dispute_stops_reminders_until_a_person_resolves_it(office):
    bot, clock, deliver, server, _ = office
    deliver(reply("We will pay once the damaged units are replaced. Three of the ten arrived broken."))
    bot.loop.run_pass()
    assert state(bot, "INV-2001") == InvoiceState.DISPUTED
    (item,) = open_items(bot, "dispute")
    assert "damaged units" in item["summary"]
    clock.advance(timedelta(days=20))
    bot.loop.run_pass()
    assert not any("INV-2001" in str(m.message["Subject"]) for m in server.messages)
    bot.replies.decide(item["id"], "resolved", actor="sam")
    assert state(bot, "INV-2001") == InvoiceState.OPEN


def test_a_request_for_a_copy_is_answered_with_the_copy(office):
    bot, clock, deliver, server, _ = office
    deliver(reply("Could you please send us a copy of the invoice? We cannot find it."))
    bot.loop.run_pass()
    (copy,) = sent(server, "Copy of invoice INV-2001")
    pdfs = [p for p in copy.message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert [p.get_filename() for p in pdfs] == ["INV-2001-copy.pdf"]
    assert "INV-2001" in [e["invoice"] for e in bot.ledger.history("INV-2001")
                          if e["kind"] == "copy_requested"]
    assert not open_items(bot)


def test_an_out_of_office_reply_moves_the_next_reminder_to_the_return_date(office):
    bot, clock, deliver, server, cfg = office
    deliver(reply("I am out of the office and will be back on 1 December 2026. For urgent matters "
                  "please call the front desk.", subject="Automatic reply: Invoice INV-2001",
                  headers={"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}))
    bot.loop.run_pass()
    client = bot.ledger.client(bot.ledger.invoice("INV-2001").client_id)
    assert client.quiet_until is not None
    assert client.quiet_until.astimezone(UTC).date() in (date(2026, 11, 30), date(2026, 12, 1))
    assert "away" in (gate_reason(NOW, client, bot.reminders.rules, ()) or "")
    assert not server.messages   # nothing went out while the contact is away
    clock.advance(timedelta(days=11))   # Tuesday 1 December
    bot.loop.run_pass()
    assert server.messages


def test_a_bounce_marks_the_address_failing_and_the_next_email_goes_to_the_next_contact(office):
    bot, clock, deliver, server, _ = office
    bot.loop.run_pass()   # the overdue reminder goes out
    (first,) = server.messages
    assert first.recipients[:2] == ["ap@acme.test", "finance@acme.test"]
    deliver(bounce("ap@acme.test", str(first.message["Message-ID"])))
    bot.loop.run_pass()
    client = bot.ledger.client(bot.ledger.invoice("INV-2001").client_id)
    assert client.failing == ("ap@acme.test",)
    (alert,) = open_items(bot, "bounce")
    assert "bounced" in alert["summary"]
    clock.advance(timedelta(days=11))   # the firm reminder is due
    bot.loop.run_pass()
    assert len(server.messages) == 2
    assert server.messages[1].recipients == ["finance@acme.test"]


def test_a_strangers_claim_changes_nothing_and_goes_to_a_person(office):
    bot, clock, deliver, server, _ = office
    deliver(reply("We paid INV-2001 yesterday.", sender="Someone <someone@elsewhere.test>"))
    bot.loop.run_pass()
    assert state(bot, "INV-2001") == InvoiceState.OPEN
    (item,) = open_items(bot, "label_reply")
    assert "not one of the client's addresses" in item["summary"]
    # a person vouches for it: the claim then acts like the client's own
    bot.replies.decide(item["id"], "paid", actor="sam")
    assert state(bot, "INV-2001") == InvoiceState.PAYMENT_CLAIMED


def test_a_vague_reply_goes_to_a_person_with_the_suggested_label(office):
    bot, clock, deliver, server, _ = office
    deliver(reply("ok"))
    bot.loop.run_pass()
    (item,) = open_items(bot)
    assert item["kind"] == "reply"
    assert state(bot, "INV-2001") == InvoiceState.OPEN


def test_each_reply_is_acted_on_once_across_a_restart(office, make_bot, tls):
    bot, clock, deliver, server, cfg = office
    deliver(reply("Could you please send us a copy of the invoice?"))
    bot.loop.run_pass()
    bot.close()
    again = make_bot(cfg, clock, cafile=tls[0])
    again.loop.run_pass()
    again.loop.run_pass()
    assert len(sent(server, "Copy of invoice")) == 1
    assert len(again.ledger.messages(role="inbox")) == 1


def test_review_decisions_from_the_command_line(office, capsys):
    bot, clock, deliver, server, cfg = office
    deliver(reply("We dispute this invoice: the hourly rate is wrong."))
    bot.loop.run_pass()
    (item,) = open_items(bot, "dispute")
    config = cfg.path or _write_config(cfg)
    assert main(["--config", str(config), "review"]) == 0
    listing = capsys.readouterr().out
    assert f"--resolve {item['id']} --decide resolved|cancelled" in listing
    assert main(["--config", str(config), "review", "--resolve", str(item["id"])]) == 2
    assert "needs a decision" in capsys.readouterr().err
    assert main(["--config", str(config), "review", "--resolve", str(item["id"]),
                 "--decide", "cancelled", "--as", "kim"]) == 0
    assert state(bot, "INV-2001") == InvoiceState.CANCELLED
    assert json.loads(json.dumps(bot.ledger.review(open_only=False)[0]["resolved_by"])) == "kim"


VAGUE_CLAIM = "We paid."   # read as a payment claim, but not surely enough to act on it


def reminded(bot) -> list[tuple[str, ...]]:
    """The invoices each reminder that went out covered, in order."""
    return [r.invoices for r in bot.ledger.outbox("sent") if r.kind == "reminder"]


def test_the_vague_claim_is_read_below_the_threshold_today():
    # if the rules ever read it surely, the tests below stop testing a reply held for a person
    reading = classify("Re: Invoice INV-2001", VAGUE_CLAIM)
    assert reading.label is Label.PAID and reading.confidence < ReplyConfig().act_threshold


def test_a_reply_read_below_the_threshold_holds_reminders_for_its_invoice_until_a_person_decides(
        office, capsys):
    bot, clock, deliver, server, cfg = office
    bot.ledger.import_invoices([world.row("INV-3001", "Bolt Ltd", "ap@bolt.test",
                                          NOW.date() - timedelta(days=10))], NOW)
    deliver(reply(VAGUE_CLAIM))
    bot.loop.run_pass()
    (msg,) = bot.ledger.messages(role="inbox")
    assert msg["label"] == "paid" and msg["confidence"] < cfg.replies.act_threshold
    (item,) = open_items(bot, "label_reply")
    assert state(bot, "INV-2001") == InvoiceState.OPEN      # nothing changed on its own
    # the thread names INV-2001 only: the client's other invoice and other clients go on
    assert sorted(reminded(bot)) == [("INV-2002",), ("INV-3001",)]

    clock.advance(timedelta(days=7))   # Friday 27 November: INV-2001's firm reminder is due
    bot.loop.run_pass()
    assert reminded(bot)[2:] == [("INV-3001",)]
    why = f"a client's reply waits for a person (review #{item['id']})"
    # the dry run, `arbot invoices` and Slack's `why` say so
    config = cfg.path or _write_config(cfg)
    assert main(["--config", str(config), "plan", "--days", "1", "--now", clock().isoformat()]) == 0
    assert f"held     Acme GmbH (INV-2001): firm due, but {why}" in capsys.readouterr().out
    assert main(["--config", str(config), "invoices", "--now", clock().isoformat()]) == 0
    assert f"open (reply waits: review #{item['id']})" in capsys.readouterr().out
    assert f"No reminder now: {why}." in views.why(bot.ledger, cfg, clock(), "INV-2001")

    bot.replies.decide(item["id"], "other", actor="sam")   # nothing to act on: carry on
    assert bot.ledger.invoice("INV-2001").reply_waiting is None
    bot.loop.run_pass()
    assert reminded(bot)[3:] == [("INV-2001",)]
    assert bot.ledger.outbox("sent")[-1].items == (("INV-2001", "firm"),)


def test_a_reminder_queued_before_the_reply_arrived_is_held_at_the_re_check(office):
    bot, clock, deliver, server, _ = office
    bot.reminders.plan_reminders()   # queued; the outbox has not sent it yet
    (queued,) = bot.ledger.outbox("queued")
    assert queued.invoices == ("INV-2001", "INV-2002")
    deliver(reply(VAGUE_CLAIM))
    bot.loop.run_pass()              # the reply is read before the outbox sends
    (item,) = open_items(bot, "label_reply")
    assert reminded(bot) == [("INV-2002",)]
    assert len(server.messages) == 1
    (withdrawn,) = [e for e in bot.ledger.history("INV-2001") if e["kind"] == "reminder_withdrawn"]
    assert f"reply waits for a person (review #{item['id']})" in withdrawn["detail"]["reason"]

    bot.replies.decide(item["id"], "other", actor="sam")
    clock.advance(timedelta(days=3))  # Monday, the minimum interval after Friday's email
    bot.loop.run_pass()
    assert reminded(bot) == [("INV-2002",), ("INV-2001",)]


def test_a_vague_reply_outside_the_thread_holds_every_open_invoice_of_its_sender(office):
    bot, clock, deliver, server, _ = office
    deliver(reply(VAGUE_CLAIM, subject="Re: your email", refs=None, quote=False))
    bot.loop.run_pass()
    (msg,) = bot.ledger.messages(role="inbox")
    # known only by its sender: it may be about any of the client's open invoices
    assert msg["client_id"] == "acme gmbh" and msg["invoices"] == ["INV-2001", "INV-2002"]
    (item,) = open_items(bot, "label_reply")
    assert server.messages == []
    bot.replies.decide(item["id"], "other", actor="sam")
    bot.loop.run_pass()
    assert reminded(bot) == [("INV-2001", "INV-2002")]


def _write_config(cfg) -> str:
    path = cfg.database_path.parent / "arbot.toml"
    path.write_text(f'[database]\npath = "{cfg.database_path}"\n'
                    f'[mail]\nfrom_address = "accounts@example.com"\n', encoding="utf-8")
    return str(path)


def test_a_promise_waits_only_for_a_day_ahead_and_not_too_far() -> None:
    today = date(2026, 11, 18)
    assert can_wait_for(today, today, 60) and can_wait_for(date(2027, 1, 17), today, 60)
    assert not can_wait_for(date(2026, 11, 17), today, 60)
    assert not can_wait_for(date(2027, 1, 18), today, 60)
