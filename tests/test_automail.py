"""Telling machines from people: bounces, delay warnings and auto-replies in the shapes several
mail systems produce (samples in tests/data/automail/), and people whose words merely sound
automatic."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from bot.core.automail import Kind, Recipient, Verdict, one_address, recognise
from bot.intake import parse_fast

SAMPLES = Path(__file__).parent / "data" / "automail"


def load(name: str) -> EmailMessage:
    msg = email.message_from_bytes((SAMPLES / name).read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def verdict(name: str) -> Verdict:
    return recognise(load(name))


def parse(text: str) -> EmailMessage:
    msg = email.message_from_bytes(text.replace("\n", "\r\n").encode(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


# What every sample is, and that every sample in the folder is accounted for

EXPECTED = {
    "postfix_user_unknown.eml": Kind.BOUNCE,
    "postfix_delayed.eml": Kind.DELAY,
    "exim_failed_plain.eml": Kind.BOUNCE,
    "exim_delay_warning.eml": Kind.DELAY,
    "office365_ndr.eml": Kind.BOUNCE,
    "exchange_plain_ndr.eml": Kind.BOUNCE,
    "gmail_dsn_failure.eml": Kind.BOUNCE,
    "qmail_failure.eml": Kind.BOUNCE,
    "sendmail_returned_mail.eml": Kind.BOUNCE,
    "global_dsn_utf8.eml": Kind.BOUNCE,
    "broken_dsn.eml": Kind.BOUNCE,
    "dsn_relayed.eml": Kind.AUTOMATED,
    "read_receipt.eml": Kind.AUTOMATED,
    "exchange_oof_en.eml": Kind.AUTO_REPLY,
    "exchange_oof_de.eml": Kind.AUTO_REPLY,
    "exchange_oof_fr.eml": Kind.AUTO_REPLY,
    "exchange_oof_es.eml": Kind.AUTO_REPLY,
    "exchange_oof_nl.eml": Kind.AUTO_REPLY,
    "gmail_vacation.eml": Kind.AUTO_REPLY,
    "zendesk_acknowledgement.eml": Kind.AUTOMATED,
    "helpdesk_acknowledgement_auto_replied.eml": Kind.AUTOMATED,
    "newsletter_bulk.eml": Kind.AUTOMATED,
    "noreply_portal.eml": Kind.AUTOMATED,
    "zendesk_agent_reply.eml": Kind.PERSON,
    "google_group_reply.eml": Kind.PERSON,
    "person_out_of_office_mention.eml": Kind.PERSON,
    "person_german.eml": Kind.PERSON,
    "person_html_only.eml": Kind.PERSON,
    "person_forwards_bounce.eml": Kind.PERSON,
}


def test_every_sample_in_the_folder_has_an_expected_kind():
    assert sorted(p.name for p in SAMPLES.glob("*.eml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_sample_is_recognised_as_its_kind(name):
    v = verdict(name)
    assert v.kind is EXPECTED[name], v.reason
    # only delivery failures and delays name recipients; the return date is a later step's
    assert bool(v.recipients) == (v.kind in (Kind.BOUNCE, Kind.DELAY))
    assert v.return_date is None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_inbox_fast_parser_gives_the_same_verdict(name):
    raw = (SAMPLES / name).read_bytes()
    assert recognise(parse_fast(raw)) == verdict(name)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cut_short_or_garbled_mail_gets_a_verdict_without_an_exception(name):
    raw = (SAMPLES / name).read_bytes()
    damaged = [raw[:n] for n in range(0, len(raw), max(1, len(raw) // 23))]
    damaged += [raw.replace(b"\n\n", b"\n", 3), raw.replace(b":", b"\xff", 9), raw.replace(b"--", b"")]
    for data in damaged:
        v = recognise(email.message_from_bytes(data, policy=email.policy.default))
        assert isinstance(v, Verdict)
        # the last-resort guard must not be what answered: the rules themselves cope
        assert "could not be read" not in v.reason, (name, len(data), v.reason)


@pytest.mark.parametrize("parser", [
    lambda raw: email.message_from_bytes(raw, policy=email.policy.default), parse_fast])
def test_a_garbled_charset_in_a_header_or_a_part_is_read_past(parser):
    # found by fuzzing: the email package raises on these when asked for the text
    v = recognise(parser(b"""Return-Path: <>
From: =?iso-8\xff59-1?Q?Mail_Delivery?= <MAILER-DAEMON@mx.example.com>
To: accounts@example.com
Subject: Undelivered Mail Returned to Sender
Content-Type: text/plain; charset="utf\x008"

<kim@client.example>: host mx.client.example said: 550 5.1.1 unknown user \xc3\xa9
"""))
    assert v.kind is Kind.BOUNCE
    assert [(r.address, r.status) for r in v.recipients] == [("kim@client.example", "5.1.1")]


# Delivery reports (RFC 3464 inside RFC 6522 multipart/report)

def test_a_postfix_bounce_names_the_failed_address_status_and_original_message():
    v = verdict("postfix_user_unknown.eml")
    assert v.reason == "multipart/report; report-type=delivery-status (action: failed)"
    assert v.recipients == (Recipient(
        "anna.weber@client.example", "failed", "5.1.1",
        "550 5.1.1 <anna.weber@client.example>: Recipient address rejected: "
        "User unknown in virtual mailbox table", True),)
    assert v.original_message_id == "<arbot.INV-2026-0042.5c1e0d2f9a7b3e4c8d10@example.com>"


def test_a_postfix_delay_report_is_a_delay_and_not_a_bounce():
    v = verdict("postfix_delayed.eml")
    assert v.kind is Kind.DELAY
    assert v.reason == "multipart/report; report-type=delivery-status (action: delayed)"
    (r,) = v.recipients
    assert (r.address, r.action, r.status, r.permanent) == ("ops@slow.example", "delayed", "4.4.1", False)
    assert r.diagnostic == "connect to mx.slow.example[192.0.2.40]:25: Connection timed out"
    assert v.original_message_id == "<arbot.INV-2026-0050.0a9b8c7d6e5f40312a3b@example.com>"


def test_an_exchange_online_ndr_names_the_failed_address_and_status():
    v = verdict("office365_ndr.eml")
    assert v.kind is Kind.BOUNCE
    (r,) = v.recipients
    assert (r.address, r.status, r.permanent) == ("jan.devries@klant.example", "5.1.10", True)
    assert r.diagnostic.startswith("550 5.1.10 RESOLVER.ADR.RecipientNotFound")
    assert v.original_message_id == "<arbot.INV-2026-0057.c0ffee00d15ea5e0b0a7@example.com>"


def test_a_gmail_delivery_failure_keeps_its_folded_diagnostic_on_one_line():
    v = verdict("gmail_dsn_failure.eml")
    assert v.reason == "multipart/report; report-type=delivery-status (action: failed)"
    (r,) = v.recipients
    assert (r.address, r.status) == ("lisa.fontaine@societe.example", "5.1.1")
    assert r.diagnostic.startswith("550-5.1.1 The mailbox you wrote to does not exist here. 550-5.1.1 ")
    assert "\n" not in r.diagnostic and "  " not in r.diagnostic
    # the whole returned message is attached as message/rfc822
    assert v.original_message_id == "<arbot.INV-2026-0070.4b3a291807f6e5d4c3b2@example.com>"


def test_a_sendmail_report_is_read_whatever_the_case_of_its_field_values():
    v = verdict("sendmail_returned_mail.eml")
    assert v.recipients == (Recipient("m.rossi@ditta.example", "failed", "5.7.1",
                                      "550 5.7.1 Message refused by policy", True),)
    assert v.original_message_id == "<arbot.INV-2026-0079.e5d4c3b2a1908f7e6d5c@example.com>"


def test_an_internationalised_report_is_decoded_from_its_transfer_encoding_and_utf8():
    v = verdict("global_dsn_utf8.eml")
    assert v.reason == "multipart/report; report-type=global-delivery-status (action: failed)"
    (r,) = v.recipients
    assert (r.address, r.status) == ("jürgen.krämer@bücher.example", "5.1.1")
    assert r.diagnostic.endswith("unbekannter Empfänger")
    assert v.original_message_id == "<arbot.INV-2026-0081.2233445566778899aabb@example.com>"


def test_a_broken_delivery_status_part_still_gives_a_bounce_read_from_the_text():
    v = verdict("broken_dsn.eml")
    assert v.kind is Kind.BOUNCE and "unreadable; read from the text" in v.reason
    assert v.recipients == (Recipient(
        "tom.baker@client.test", "failed", "5.1.1",
        "550 5.1.1 <tom.baker@client.test>: mailbox unknown (in reply to RCPT TO command)", True),)
    assert v.original_message_id == "<arbot.INV-2026-0085.ffeeddccbbaa99887766@example.com>"


def test_a_report_of_a_successful_relay_is_automated_mail():
    v = verdict("dsn_relayed.eml")
    assert (v.kind, v.reason) == (Kind.AUTOMATED,
                                  "multipart/report; report-type=delivery-status (action: relayed)")


def test_a_read_receipt_is_automated_mail_and_not_a_bounce():
    assert verdict("read_receipt.eml").reason == \
        "multipart/report; report-type=disposition-notification (not a delivery report)"


def report(*blocks: str, subject: str = "Delivery Status Notification") -> EmailMessage:
    fields = "\n\n".join(blocks)
    return parse(f"""Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
To: accounts@example.com
Subject: {subject}
Content-Type: multipart/report; report-type=delivery-status; boundary="R"

--R
Content-Type: text/plain

See the report.

--R
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

{fields}

--R--
""")


def test_a_report_with_failed_and_delayed_recipients_is_a_bounce_about_the_failed_ones():
    v = recognise(report("Final-Recipient: rfc822; a@one.example\nAction: delayed\nStatus: 4.4.7",
                         "Final-Recipient: rfc822; b@two.example\nAction: failed\nStatus: 5.2.1"))
    assert v.kind is Kind.BOUNCE and [r.address for r in v.recipients] == ["b@two.example"]


def test_a_report_with_delayed_and_delivered_recipients_is_a_delay():
    v = recognise(report("Final-Recipient: rfc822; a@one.example\nAction: delivered\nStatus: 2.0.0",
                         "Final-Recipient: rfc822; b@two.example\nAction: delayed\nStatus: 4.4.7"))
    assert v.kind is Kind.DELAY and [r.address for r in v.recipients] == ["b@two.example"]


def test_missing_action_and_status_are_taken_from_the_diagnostic_code():
    v = recognise(report("Original-Recipient: rfc822;<Kim@Three.example>\n"
                         "Diagnostic-Code: smtp; 552 5.2.2 mailbox full"))
    assert v.recipients == \
        (Recipient("kim@three.example", "failed", "5.2.2", "552 5.2.2 mailbox full", True),)


def test_a_recipient_that_gave_up_on_a_temporary_error_failed_but_not_permanently():
    v = recognise(report("Final-Recipient: rfc822; a@one.example\nAction: failed\nStatus: 4.4.1\n"
                         "Diagnostic-Code: X-Postfix; connection timed out"))
    assert v.kind is Kind.BOUNCE
    assert (v.recipients[0].status, v.recipients[0].permanent, v.recipients[0].diagnostic) == \
        ("4.4.1", False, "connection timed out")


# Bounces without RFC 3464 structure

def test_an_exim_bounce_gives_each_x_failed_recipient_its_own_status():
    v = verdict("exim_failed_plain.eml")
    assert v.reason == "X-Failed-Recipients (Exim) (no delivery-status part)"
    assert v.recipients == (
        Recipient("old.clerk@client.example", "failed", "5.1.1", "550 5.1.1 mailbox unavailable", True),
        Recipient("finance@closed.example", "failed", "5.0.0", "Unrouteable address", True))
    # the copy of the message follows the bounce's own words
    assert v.original_message_id == "<arbot.statement.77e1d0c2b4a5968f3e21@example.com>"


def test_an_exim_delay_warning_in_plain_text_is_a_delay():
    v = verdict("exim_delay_warning.eml")
    assert v.reason == "a delay warning from mailer-daemon@smtp.example.com"
    assert v.recipients == (Recipient("ap@greylist.example", "delayed", "4.7.1",
                                      "451 4.7.1 Greylisted, please try again later", False),)
    assert v.original_message_id == "<arbot.INV-2026-0063.1f2e3d4c5b6a79880a1b@example.com>"


def test_a_qmail_bounce_gives_each_recipient_its_own_status():
    v = verdict("qmail_failure.eml")
    assert v.reason == "a bounce subject from mailer-daemon@qmail.partner.example (no delivery-status part)"
    assert [(r.address, r.status) for r in v.recipients] == \
        [("billing@gone.example", "5.1.1"), ("kasse@qmail.partner.example", "5.2.2")]
    assert v.recipients[1].diagnostic == "The recipient's mailbox is over its quota. (#5.2.2)"
    assert v.original_message_id == "<arbot.INV-2026-0074.90817263544536271809@example.com>"


def test_an_older_exchange_ndr_in_plain_text_is_read_from_its_words_and_attachment():
    v = verdict("exchange_plain_ndr.eml")
    assert v.reason == "a bounce subject from postmaster@partner.example (no delivery-status part)"
    assert v.recipients == (Recipient("piet.jansen@partner.example", "failed", "5.1.1",
                                      "550 5.1.1 RESOLVER.ADR.RecipientNotFound; no such mailbox", True),)
    assert v.original_message_id == "<arbot.INV-2026-0061.8d7c6b5a4f3e2d1c0b9a@example.com>"


def test_a_bounce_without_any_smtp_reply_is_a_permanent_5_0_0():
    v = recognise(parse("""From: postmaster@old.example
To: accounts@example.com
Subject: Undeliverable: Invoice INV-9

Delivery has failed to these recipients or groups:

gone@old.example
"""))
    assert v.recipients == (Recipient("gone@old.example", "failed", "5.0.0", "", True),)


def test_bounce_words_from_a_person_are_a_person():
    assert recognise(parse("""From: Jo <jo@client.example>
To: accounts@example.com
Subject: Undelivered Mail Returned to Sender

Hi. This is the qmail-send program, just kidding: we paid INV-4 today.
""")).kind is Kind.PERSON


# Auto-replies (RFC 3834 and the vendors' ways)

@pytest.mark.parametrize(("name", "reason"), [
    ("exchange_oof_en.eml", "Auto-Submitted: auto-generated with an automatic-reply subject"),
    ("exchange_oof_de.eml", "an automatic-reply subject with X-Auto-Response-Suppress"),
    ("exchange_oof_fr.eml", "an automatic-reply subject with X-Auto-Response-Suppress"),
    ("exchange_oof_es.eml", "an automatic-reply subject with X-MS-Exchange-Inbox-Rules-Loop"),
    ("exchange_oof_nl.eml", "an automatic-reply subject with X-Auto-Response-Suppress"),
])
def test_exchange_out_of_office_replies_are_recognised_in_five_languages(name, reason):
    assert (verdict(name).kind, verdict(name).reason) == (Kind.AUTO_REPLY, reason)


def test_a_gmail_vacation_reply_is_an_auto_reply_by_auto_submitted():
    v = verdict("gmail_vacation.eml")
    assert (v.kind, v.reason) == (Kind.AUTO_REPLY, "Auto-Submitted: auto-replied")


def reply(headers: str, subject: str = "Re: Invoice INV-7") -> EmailMessage:
    return parse(f"""From: Kim Lee <kim@client.example>
To: accounts@example.com
Subject: {subject}
{headers}

We will pay on Friday.
""")


@pytest.mark.parametrize(("headers", "reason"), [
    ("X-Autoreply: yes", "X-Autoreply: yes"),
    ("X-Autorespond: Kim is away", "X-Autorespond: Kim is away"),
    ("Precedence: auto_reply", "Precedence: auto_reply"),
    ("X-Auto-Response-Suppress: All\nX-MS-Exchange-Inbox-Rules-Loop: kim@client.example",
     "X-Auto-Response-Suppress with X-MS-Exchange-Inbox-Rules-Loop (an Exchange inbox rule answered)"),
])
def test_vendor_auto_reply_headers_make_an_auto_reply(headers, reason):
    v = recognise(reply(headers))
    assert (v.kind, v.reason) == (Kind.AUTO_REPLY, reason)


def test_an_exchange_rule_that_forwards_a_message_is_not_an_auto_reply():
    v = recognise(reply("X-Auto-Response-Suppress: All\nX-MS-Exchange-Inbox-Rules-Loop: kim@client.example",
                        subject="FW: Invoice INV-7"))
    assert v.kind is Kind.PERSON


def test_an_automatic_reply_subject_alone_does_not_make_an_auto_reply():
    # a person may well title a message so; only a machine's signature makes it one
    assert recognise(reply("", subject="Out of office: back on Monday, payment sent")).kind is Kind.PERSON
    assert recognise(reply("", subject="Vacation")).kind is Kind.PERSON
    assert recognise(reply("Return-Path: <>", subject="Vacation")).kind is Kind.AUTO_REPLY


def test_auto_submitted_no_says_a_person_wrote_it():
    assert recognise(reply("Auto-Submitted: no")).kind is Kind.PERSON


def test_auto_generated_mail_is_automated_unless_it_is_an_out_of_office_notice():
    assert recognise(reply("Auto-Submitted: auto-generated")).kind is Kind.AUTOMATED
    assert recognise(reply("Auto-Submitted: auto-generated",
                           subject="Abwesenheitsnotiz: Rechnung 7")).kind is Kind.AUTO_REPLY


# Other machine mail, and help desks

@pytest.mark.parametrize(("name", "reason"), [
    ("zendesk_acknowledgement.eml",
     "Auto-Submitted: auto-generated; a ticket system's acknowledgement (X-Zendesk-From-Account-Id)"),
    ("helpdesk_acknowledgement_auto_replied.eml",
     "Auto-Submitted: auto-replied; a ticket system's acknowledgement (a ticket number in the subject)"),
])
def test_a_ticket_systems_acknowledgement_is_automated_mail(name, reason):
    assert (verdict(name).kind, verdict(name).reason) == (Kind.AUTOMATED, reason)


def test_a_help_desk_agents_reply_is_a_person_although_the_software_says_auto_generated():
    v = verdict("zendesk_agent_reply.eml")
    assert v.kind is Kind.PERSON and "help-desk software (X-Zendesk-From-Account-Id)" in v.reason


def test_a_newsletter_is_automated_mail_even_when_it_says_out_of_office():
    assert (verdict("newsletter_bulk.eml").kind, verdict("newsletter_bulk.eml").reason) == \
        (Kind.AUTOMATED, "Precedence: bulk")


def test_a_reply_posted_through_a_clients_mail_group_is_a_person():
    v = verdict("google_group_reply.eml")
    assert v.reason == "a reply posted through a discussion list (Precedence: list, List-Post, In-Reply-To)"


def test_a_no_reply_notification_is_automated_mail():
    assert verdict("noreply_portal.eml").reason == \
        "sent from a no-reply address (no-reply@portal.client.example)"


def test_the_null_sender_alone_marks_machine_mail():
    v = recognise(reply("Return-Path: <>", subject="Your weekly statement"))
    assert (v.kind, v.reason) == (Kind.AUTOMATED, "the null sender (Return-Path: <>)")


# People whose words sound automatic

def test_a_reply_that_says_i_was_out_of_office_last_week_is_a_person():
    # Outlook puts X-Auto-Response-Suppress on ordinary mail too; there is no Precedence
    msg = load("person_out_of_office_mention.eml")
    assert msg["Subject"] == "Re: Invoice INV-1" and msg["Precedence"] is None
    assert msg["X-Auto-Response-Suppress"] == "All"
    assert recognise(msg) == Verdict(Kind.PERSON, "no sign of automatic mail")


@pytest.mark.parametrize("name", ["person_german.eml", "person_html_only.eml",
                                  "person_forwards_bounce.eml"])
def test_people_who_mention_absence_or_undeliverable_mail_are_people(name):
    assert verdict(name) == Verdict(Kind.PERSON, "no sign of automatic mail")


@pytest.mark.parametrize("value", [
    "Accounts <ap@client.test>", "ap@client.test", "<ap@client.test>", "<>", "",
    '"Doe, Jane" <jane@client.test>', "Jane (home) <jane@client.test>", "a@b.test, c@d.test",
    "Mail Delivery System <MAILER-DAEMON@mx.test>", "  Joe   Bloggs  <jb@client.test> ",
    "=?utf-8?q?J=C3=B6rg?= <j@client.test>", "undisclosed-recipients:;",
])
def test_one_address_reads_what_the_rfc_parser_reads(value: str) -> None:
    from email.utils import parseaddr
    name, address = one_address(value)
    expected_name, expected_address = parseaddr(value)
    assert address == expected_address
    assert name == " ".join(expected_name.split())
