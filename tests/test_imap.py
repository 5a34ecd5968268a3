"""The IMAP adapter against a real Dovecot on loopback: TLS and STARTTLS, folders found by
their SPECIAL-USE flag, incremental reads, IDLE, appends, and errors a person can act on."""

from __future__ import annotations

import ssl
import threading
import time

import pytest

from bot.config import parse
from bot.imap import ImapError, Mailbox, probe
from tests.support.dovecot import PASSWORD, SENT


def settings(port: int, user: str, *, security: str = "tls", password: str = PASSWORD, **more):
    return parse({"imap": {"host": "127.0.0.1", "port": port, "security": security,
                           "username": user, "password_env": "P", **more}},
                 environ={"P": password}).imap


def message(n: int) -> bytes:
    return (f"From: ap@acme.test\r\nTo: accounts@example.com\r\nSubject: note {n}\r\n"
            f"Message-ID: <note-{n}@acme.test>\r\n\r\nbody {n}\r\n").encode()


@pytest.fixture
def box(dovecot, tls):
    user = dovecot.new_user()
    mailbox = Mailbox(settings(dovecot.tls_port, user), ssl_context=ssl.create_default_context(
        cafile=tls[0]), sleep=lambda s: None)
    yield user, mailbox
    mailbox.close()


def test_sent_is_found_by_its_flag_and_an_override_wins(dovecot, tls):
    user = dovecot.new_user()
    ctx = ssl.create_default_context(cafile=tls[0])
    starttls = Mailbox(settings(dovecot.port, user, security="starttls"), ssl_context=ctx)
    try:
        assert starttls.folder("sent") == SENT
    finally:
        starttls.close()
    overridden = Mailbox(settings(dovecot.tls_port, user, sent_folder="Archive/Out"),
                         ssl_context=ctx)
    assert overridden.folder("sent") == "Archive/Out"  # no connection needed
    assert "logged in" in probe(settings(dovecot.tls_port, user), ssl_context=ctx)


def test_reads_come_in_uid_order_in_batches_and_leave_messages_unread(dovecot, box):
    user, mailbox = box
    for n in range(5):
        dovecot.append(user, "INBOX", message(n))
    first = mailbox.read_after("INBOX", 0, batch=3)
    assert [m.uid for m in first.messages] == [1, 2, 3] and first.more
    rest = mailbox.read_after("INBOX", 3, batch=3)
    assert [m.uid for m in rest.messages] == [4, 5] and not rest.more
    assert b"body 4" in rest.messages[-1].raw
    assert mailbox.read_after("INBOX", 5).messages == ()  # "6:*" still matches 5: filtered
    with dovecot.client(user) as c:
        status = c.folder_status("INBOX", [b"UIDVALIDITY"])
        assert first.uidvalidity == rest.uidvalidity == status[b"UIDVALIDITY"]
        c.select_folder("INBOX", readonly=True)
        assert c.search(["UNSEEN"]) == [1, 2, 3, 4, 5]  # BODY.PEEK: nothing marked read


def test_a_message_id_can_be_found_and_a_copy_appended(dovecot, box):
    user, mailbox = box
    assert not mailbox.has_message_id(SENT, "<note-1@acme.test>")
    mailbox.append(SENT, message(1))
    assert mailbox.has_message_id(SENT, "<note-1@acme.test>")
    with dovecot.client(user) as c:
        c.select_folder(SENT, readonly=True)
        assert c.search(["SEEN"]) == [1]  # filed as read, as mail programs do with sent mail


def test_idle_wakes_up_when_mail_arrives_and_times_out_when_none_does(dovecot, box):
    user, mailbox = box
    t0 = time.monotonic()
    assert mailbox.wait("INBOX", 1.0) is False
    assert 0.9 < time.monotonic() - t0 < 3
    threading.Timer(0.5, dovecot.append, args=(user, "INBOX", message(9))).start()
    t0 = time.monotonic()
    assert mailbox.wait("INBOX", 10.0) is True
    assert time.monotonic() - t0 < 5
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    t0 = time.monotonic()
    assert mailbox.wait("INBOX", 30.0, stop) is False  # a stop request ends the wait
    assert time.monotonic() - t0 < 3


def test_a_wrong_password_is_a_permanent_error_that_says_so(dovecot, tls):
    user = dovecot.new_user()
    mailbox = Mailbox(settings(dovecot.tls_port, user, password="wrong"),
                      ssl_context=ssl.create_default_context(cafile=tls[0]), sleep=lambda s: None)
    with pytest.raises(ImapError, match="login refused") as e:
        mailbox.read_after("INBOX", 0)
    assert not e.value.transient


def test_an_untrusted_certificate_is_refused(dovecot):
    user = dovecot.new_user()
    mailbox = Mailbox(settings(dovecot.tls_port, user), sleep=lambda s: None)
    with pytest.raises(ImapError, match="certificate"):
        mailbox.folder("sent")


def test_a_server_that_is_down_is_retried_then_reported_as_transient(tls):
    from tests.support.smtpd import free_port
    naps = []
    mailbox = Mailbox(settings(free_port(), "x@example.com"), sleep=naps.append, attempts=3)
    with pytest.raises(ImapError) as e:
        mailbox.read_after("INBOX", 0)
    assert e.value.transient and len(naps) == 2
