"""Reminders sent through a real SMTP server on loopback (aiosmtpd with STARTTLS, implicit
TLS and AUTH), then parsed the way a mail client would."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from bot.simclock import SimulatedClock
from tests.support import world
from tests.support.smtpd import DroppingServer

# Wednesday 2026-03-11 10:00 in London
NOON = world.at("2026-03-11T10:00:00+00:00")


def ledger_with_three_clients(bot, tmp_path):
    rows = [
        world.row("INV-1", "Acme GmbH", "ap@acme.test", date(2026, 3, 8),
                  cc=("boss@acme.test",), pdf=world.pdf(tmp_path, "INV-1", pages=2),
                  message_id="<inv-1@billing.example.com>", locale="de", timezone="Europe/Berlin",
                  country="DE"),
        world.row("INV-2", "Acme GmbH", "ap@acme.test", date(2026, 2, 20),
                  pdf=world.pdf(tmp_path, "INV-2"), message_id="<inv-2@billing.example.com>",
                  locale="de", timezone="Europe/Berlin", country="DE"),
        world.row("INV-3", "Bolt Ltd", "pay@bolt.test", date(2026, 3, 6), amount="75.50",
                  currency="GBP"),
        world.row("INV-4", "Cobalt Inc", "cobalt@cobalt.test", date(2026, 5, 1)),  # not due
    ]
    bot.ledger.import_invoices(rows, NOON)


def test_one_email_per_client_with_stamped_copies_threading_and_both_parts(smtp_server, tls,
                                                                         tmp_path, make_bot):
    clock = SimulatedClock(NOON)
    cfg = world.config(tmp_path, port=smtp_server.port, security="starttls", login=True)
    bot = make_bot(cfg, clock, cafile=tls[0])
    ledger_with_three_clients(bot, tmp_path)

    bot.loop.run_pass()

    got = {tuple(m.recipients): m for m in smtp_server.messages}
    assert set(got) == {("ap@acme.test", "boss@acme.test"), ("pay@bolt.test",)}
    acme = got[("ap@acme.test", "boss@acme.test")].message
    assert acme["To"].addresses[0].addr_spec == "ap@acme.test"
    assert acme["Cc"] == "boss@acme.test"
    assert acme["From"].addresses[0].addr_spec == "accounts@example.com"
    assert acme["Reply-To"] == "ar@example.com"
    assert acme["Message-ID"].endswith("@example.com>")
    assert acme["In-Reply-To"] == "<inv-2@billing.example.com>"
    assert acme["References"] == "<inv-1@billing.example.com> <inv-2@billing.example.com>"
    text = acme.get_body(("plain",)).get_content()
    html = acme.get_body(("html",)).get_content()
    assert "INV-1" in text and "INV-2" in text and "INV-1" in html and "INV-2" in html
    pdfs = {a.get_filename(): a.get_content() for a in acme.iter_attachments()}
    assert set(pdfs) == {"INV-1-copy.pdf", "INV-2-copy.pdf"}
    pages = PdfReader(io.BytesIO(pdfs["INV-1-copy.pdf"])).pages
    assert len(pages) == 2
    for n, page in enumerate(pages, 1):  # a German client: the stamp speaks German
        assert "KOPIE" in page.extract_text() and f"page {n}" in page.extract_text()

    bolt = got[("pay@bolt.test",)].message
    assert "In-Reply-To" not in bolt  # no original Message-ID known
    (copy,) = list(bolt.iter_attachments())
    generated = PdfReader(io.BytesIO(copy.get_content())).pages[0].extract_text()
    assert "INV-3" in generated and "COPY" in generated

    assert {r.status for r in bot.ledger.outbox()} == {"sent"}
    (sent,) = [e for e in bot.ledger.history(invoice="INV-1") if e["kind"] == "reminder_sent"]
    assert sent["detail"]["message_id"] == acme["Message-ID"]  # the history names the email
    bot.loop.run_pass()  # a second pass sends nothing twice
    assert len(smtp_server.messages) == 2


def test_implicit_tls_with_login_delivers(smtps_server, tls, tmp_path, make_bot):
    clock = SimulatedClock(NOON)
    cfg = world.config(tmp_path, port=smtps_server.port, security="tls", login=True)
    bot = make_bot(cfg, clock, cafile=tls[0])
    ledger_with_three_clients(bot, tmp_path)
    bot.loop.run_pass()
    assert len(smtps_server.messages) == 2


def test_a_wrong_password_fails_without_resending(smtp_server, tls, tmp_path, make_bot):
    clock = SimulatedClock(NOON)
    cfg = world.config(tmp_path, port=smtp_server.port, security="starttls", login=True)
    object.__setattr__(cfg.smtp, "password", "wrong")
    bot = make_bot(cfg, clock, cafile=tls[0])
    ledger_with_three_clients(bot, tmp_path)
    bot.loop.run_pass()
    bot.loop.run_pass()
    assert smtp_server.messages == []
    rows = bot.ledger.outbox()
    assert {r.status for r in rows} == {"failed"}
    assert all("authentication failed" in (r.error or "") for r in rows)


def test_a_busy_server_is_tried_again_later_and_then_succeeds(smtp_server, tls, tmp_path, make_bot):
    clock = SimulatedClock(NOON)
    cfg = world.config(tmp_path, port=smtp_server.port, security="starttls", login=True)
    bot = make_bot(cfg, clock, cafile=tls[0])
    bot.ledger.import_invoices([world.row("INV-3", "Bolt Ltd", "pay@bolt.test",
                                          date(2026, 3, 6))], NOON)
    smtp_server.recorder.data_replies = ["451 4.3.0 busy"] * 3  # outlasts tenacity's 3 tries
    bot.loop.run_pass()
    (r,) = bot.ledger.outbox()
    assert r.status == "retry" and "451" in (r.error or "")
    clock.advance(__import__("datetime").timedelta(minutes=20))
    bot.loop.run_pass()
    assert [r.status for r in bot.ledger.outbox()] == ["sent"]
    assert len(smtp_server.messages) == 1


def test_a_connection_lost_during_data_is_marked_for_a_person_and_never_resent(tmp_path, make_bot):
    dropper = DroppingServer()
    try:
        clock = SimulatedClock(NOON)
        bot = make_bot(world.config(tmp_path, port=dropper.port), clock)
        bot.ledger.import_invoices([world.row("INV-3", "Bolt Ltd", "pay@bolt.test",
                                              date(2026, 3, 6))], NOON)
        bot.loop.run_pass()
        (r,) = bot.ledger.outbox()
        assert r.status == "unknown" and "may or may not" in (r.error or "")
        for _ in range(3):
            clock.advance(__import__("datetime").timedelta(days=1))
            bot.loop.run_pass()
        assert dropper.received == 1
        assert [r.status for r in bot.ledger.outbox()] == ["unknown"]
    finally:
        dropper.stop()


@pytest.mark.parametrize("name", ["Evil\r\nBcc: victim@else.test", "Evil\nX-Injected: 1"])
def test_client_names_cannot_inject_headers(smtp_server, tls, tmp_path, name, make_bot):
    clock = SimulatedClock(NOON)
    cfg = world.config(tmp_path, port=smtp_server.port, security="starttls", login=True)
    bot = make_bot(cfg, clock, cafile=tls[0])
    bot.ledger.import_invoices([world.row("INV-9", name, "pay@bolt.test", date(2026, 3, 6))],
                               NOON)
    bot.loop.run_pass()
    (m,) = smtp_server.messages
    assert m.recipients == ["pay@bolt.test"]
    assert "X-Injected" not in m.message and "Bcc" not in m.message
    head = m.raw.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nBcc:" not in head and b"\r\nX-Injected" not in head


def test_a_send_a_crash_interrupted_goes_to_a_person_and_is_not_sent_again(smtp_server, tls,
                                                                            tmp_path, make_bot):
    clock = SimulatedClock(NOON)
    cfg = world.config(tmp_path, port=smtp_server.port, security="starttls", login=True)
    bot = make_bot(cfg, clock, cafile=tls[0])
    bot.ledger.import_invoices([world.row("INV-8", "Bolt Ltd", "pay@bolt.test",
                                          date(2026, 3, 6))], NOON)
    bot.reminders.plan_reminders()
    (row,) = bot.ledger.outbox()
    assert bot.ledger.claim(row.id, clock(), "<claimed@example.com>")  # ... and then a crash
    bot.loop.run_pass()  # too soon to tell: it may still be on its way
    assert [r.status for r in bot.ledger.outbox()] == ["sending"]
    clock.advance(__import__("datetime").timedelta(minutes=30))
    bot.loop.run_pass()
    (row,) = bot.ledger.outbox()
    assert row.status == "unknown" and "may or may not" in (row.error or "")
    assert not smtp_server.messages
