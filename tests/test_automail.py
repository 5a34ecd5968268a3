"""Telling machines from people: auto-replies and delivery reports in the shapes several
mail systems produce, and people whose words merely sound automatic."""

from __future__ import annotations

import email
import email.policy

import pytest

from bot.core.automail import Kind, recognise


def parse(text: str):
    return email.message_from_bytes(text.replace("\n", "\r\n").encode(), policy=email.policy.default)


def dsn(action: str = "failed", status: str = "5.1.1", *, report_type: str = "delivery-status",
        frm: str = "MAILER-DAEMON@mx.example.net (Mail Delivery System)") -> str:
    return f"""Return-Path: <>
From: {frm}
To: accounts@example.com
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type={report_type}; boundary="B1"

--B1
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
Arrival-Date: Mon, 16 Mar 2026 09:00:01 +0000

Final-Recipient: rfc822; Anna.Weber@client.example
Original-Recipient: rfc822;anna.weber@client.example
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 5.1.1 <anna.weber@client.example>:
 Recipient address rejected: User unknown

--B1
Content-Type: text/rfc822-headers

From: Example Accounts <accounts@example.com>
To: anna.weber@client.example
Subject: Invoice INV-1001 is overdue
Message-ID: <r-17.abc@example.com>

--B1--
"""


def test_a_postfix_delivery_report_names_the_failed_address_status_and_original_message():
    v = recognise(parse(dsn()))
    assert v.kind is Kind.BOUNCE
    (r,) = v.recipients
    assert (r.address, r.status, r.action, r.permanent) == \
        ("anna.weber@client.example", "5.1.1", "failed", True)
    assert "User unknown" in r.diagnostic
    assert v.original_message_id == "<r-17.abc@example.com>"


def test_a_report_that_delivery_is_only_delayed_is_not_a_bounce():
    v = recognise(parse(dsn(action="delayed", status="4.4.7")))
    assert v.kind is Kind.DELAY and v.recipients[0].permanent is False


def test_a_read_receipt_report_is_automated_mail_not_a_bounce():
    text = dsn(report_type="disposition-notification").replace(
        "message/delivery-status", "message/disposition-notification")
    assert recognise(parse(text)).kind is Kind.AUTOMATED


def test_an_exim_bounce_without_a_report_is_read_from_x_failed_recipients():
    v = recognise(parse("""From: Mail Delivery System <Mailer-Daemon@mail.example.org>
To: accounts@example.com
Subject: Mail delivery failed: returning message to sender
X-Failed-Recipients: old.clerk@client.example
Auto-Submitted: auto-replied

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  old.clerk@client.example
    host mx.client.example [192.0.2.7]
    SMTP error from remote mail server after RCPT TO:<old.clerk@client.example>:
    550 5.1.1 mailbox unavailable
"""))
    assert v.kind is Kind.BOUNCE
    assert [(r.address, r.status) for r in v.recipients] == [("old.clerk@client.example", "5.1.1")]


def test_a_qmail_bounce_in_plain_text_is_still_a_bounce():
    v = recognise(parse("""Return-Path: <>
From: MAILER-DAEMON@qmail.example.org
To: accounts@example.com
Subject: failure notice

Hi. This is the qmail-send program at qmail.example.org.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<billing@gone.example>:
192.0.2.9 does not like recipient.
Remote host said: 550 sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.
"""))
    assert v.kind is Kind.BOUNCE
    assert v.recipients[0].address == "billing@gone.example" and v.recipients[0].permanent


def test_an_exchange_ndr_in_plain_text_from_the_postmaster_is_a_bounce():
    v = recognise(parse("""From: postmaster@client.example
To: accounts@example.com
Subject: Undeliverable: Invoice INV-2002

Delivery has failed to these recipients or groups:

jan.devries@client.example
The email address you entered couldn't be found.

Diagnostic information for administrators:
Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found'
"""))
    assert v.kind is Kind.BOUNCE
    assert (v.recipients[0].address, v.recipients[0].status) == \
        ("jan.devries@client.example", "5.1.10")


@pytest.mark.parametrize("subject", [
    "Automatic reply: Invoice INV-1001", "Automatische Antwort: Rechnung RE-7",
    "Réponse automatique : Facture F-9", "Respuesta automática: Factura 12",
    "Automatisch antwoord: Factuur 77"])
def test_exchange_auto_replies_are_recognised_in_several_languages(subject):
    v = recognise(parse(f"""From: Anna Weber <anna.weber@client.example>
To: accounts@example.com
Subject: {subject}
X-Auto-Response-Suppress: All
X-MS-Exchange-Inbox-Rules-Loop: anna.weber@client.example

I am out of the office until 24 March.
"""))
    assert v.kind is Kind.AUTO_REPLY


def test_a_gmail_vacation_responder_says_auto_replied():
    v = recognise(parse("""From: Jo Bloggs <jo@client.example>
To: accounts@example.com
Subject: Re: Invoice INV-3
Auto-Submitted: auto-replied
Precedence: bulk

Thanks for your email. I'm travelling with limited access until Monday.
"""))
    assert v.kind is Kind.AUTO_REPLY and "auto-replied" in v.reason


def test_a_ticket_system_acknowledgement_is_automated_mail():
    v = recognise(parse("""From: Client Support <support@client.example>
To: accounts@example.com
Subject: [Ticket #48213] Invoice INV-4
Auto-Submitted: auto-generated
X-Mailer: Helpdesk

Your request has been received and will be reviewed by our team.
"""))
    assert v.kind is Kind.AUTOMATED


def test_newsletters_and_no_reply_senders_are_automated_mail():
    assert recognise(parse("""From: news@client.example
To: accounts@example.com
Subject: Our spring offers
List-Id: <offers.client.example>
List-Unsubscribe: <mailto:leave@client.example>

...
""")).kind is Kind.AUTOMATED
    assert recognise(parse("""From: no-reply@portal.client.example
To: accounts@example.com
Subject: Payment run completed

...
""")).kind is Kind.AUTOMATED


@pytest.mark.parametrize("text", [
    """From: Anna Weber <anna.weber@client.example>
To: accounts@example.com
Subject: Re: Invoice INV-1
X-Auto-Response-Suppress: All

Sorry, I was out of office last week. We paid on Monday.
""",
    """From: Max Müller <max@kunde.example>
To: accounts@example.com
Subject: AW: Rechnung RE-2026-114

Guten Tag, die Zahlung war nicht zustellbar an Ihre alte Bank, wir überweisen erneut.
""",
    """From: Lena <lena@client.example>
To: accounts@example.com
Subject: Re: Invoice INV-9
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<p>Hi, the <b>undeliverable</b> parcel was found. We will pay on Friday.</p>
""",
])
def test_people_who_mention_automatic_sounding_words_are_people(text):
    assert recognise(parse(text)).kind is Kind.PERSON


def test_broken_mail_gets_a_verdict_instead_of_an_exception():
    v = recognise(parse("""From: MAILER-DAEMON@mx.example.net
To: accounts@example.com
Subject: Undelivered Mail Returned to Sender
Content-Type: multipart/report; report-type=delivery-status; boundary="X"

--X
Content-Type: message/delivery-status

garbage without structure
"""))
    assert v.kind is Kind.BOUNCE


def test_the_inbox_fast_parsing_gives_the_same_verdicts():
    from bot.intake import parse_fast
    samples = [dsn(), dsn(action="delayed", status="4.4.7"), """From: Anna <anna@client.example>
To: accounts@example.com
Subject: =?utf-8?q?Automatische_Antwort=3A_Rechnung?=
X-Auto-Response-Suppress: All

Ich bin bis Montag nicht im Büro.
""", """From: Jo <jo@client.example>
To: accounts@example.com
Subject: Re: Invoice INV-3

We paid yesterday.
"""]
    for text in samples:
        raw = text.replace("\n", "\r\n").encode()
        modern, fast = recognise(parse(text)), recognise(parse_fast(raw))
        assert (fast.kind, fast.recipients, fast.original_message_id) == \
            (modern.kind, modern.recipients, modern.original_message_id)
    assert recognise(parse_fast(samples[2].replace("\n", "\r\n").encode())).kind is Kind.AUTO_REPLY
