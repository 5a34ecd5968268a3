"""Reading replies: the new text of a message, its label, confidence, evidence and dates.

Plain values in, plain values out; the cases are written here, one per behaviour, in the five
languages arbot reads. The labelled corpus in tests/data/replies is for measuring
(bench/classify.py); these tests pin down the behaviour a credit controller relies on."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from email.message import EmailMessage

import pytest

from bot import replies
from bot.core import replytext
from bot.core.classify import Label, classify

# A Wednesday morning in Berlin.
SENT = datetime(2026, 11, 18, 9, 30, tzinfo=timezone(timedelta(hours=1)))


def read(text: str, subject: str = "Re: Payment reminder: invoice INV-7") -> Label:
    return classify(subject, text, sent=SENT).label


@pytest.mark.parametrize(("text", "label"), [
    # paid
    ("We settled this yesterday by bank transfer, reference 88231.", Label.PAID),
    ("Die Rechnung haben wir bereits am 12.11. überwiesen.", Label.PAID),
    ("Le virement de 2 480,00 € a été effectué ce matin.", Label.PAID),
    ("Ya se hizo la transferencia, adjunto el justificante.", Label.PAID),
    ("De betaling is gisteren uitgevoerd.", Label.PAID),
    # promise
    ("Apologies for the delay, we will pay the invoice on Friday.", Label.PROMISE),
    ("Wir überweisen den Betrag bis Ende des Monats.", Label.PROMISE),
    ("Nous réglerons la facture la semaine prochaine.", Label.PROMISE),
    ("Pagaremos la factura el próximo lunes.", Label.PROMISE),
    ("Ik maak het bedrag volgende week over.", Label.PROMISE),
    # dispute
    ("The hourly rate is wrong: our contract states 60 per hour. Please reissue it.", Label.DISPUTE),
    ("Die Lieferung war beschädigt, wir erkennen die Rechnung so nicht an.", Label.DISPUTE),
    ("Nous contestons cette facture : la prestation n'a jamais été réalisée.", Label.DISPUTE),
    ("No estamos de acuerdo con el importe, el precio no es el acordado.", Label.DISPUTE),
    ("Deze factuur klopt niet, er is te veel in rekening gebracht.", Label.DISPUTE),
    # question
    ("Could you tell me which purchase order this invoice belongs to?", Label.QUESTION),
    ("Können Sie uns bitte Ihre Bankverbindung mitteilen?", Label.QUESTION),
    ("Pourriez-vous nous envoyer votre RIB ?", Label.QUESTION),
    ("¿Podrían indicarme a qué pedido corresponde esta factura?", Label.QUESTION),
    ("Kunt u mij laten weten op welk rekeningnummer ik moet betalen?", Label.QUESTION),
    # other
    ("Thanks, noted.", Label.OTHER),
])
def test_each_label_in_each_language(text, label):
    assert read(text) is label


def test_payment_offered_against_a_fix_is_a_dispute_not_a_promise():
    assert read("We will pay once the damaged units are replaced.") is Label.DISPUTE
    assert read("Sobald die defekten Teile ersetzt sind, zahlen wir.") is Label.DISPUTE


def test_part_paid_and_the_rest_refused_is_a_dispute():
    text = "We paid the agreed part last week. The extra charge was never agreed and we won't be paying it."
    assert read(text) is Label.DISPUTE


def test_a_payment_phrase_about_the_future_is_a_promise():
    r = classify("AW: Zahlungserinnerung", "Zahlung erfolgt am Freitag.", sent=SENT)
    assert r.label is Label.PROMISE
    assert r.promise_date == date(2026, 11, 20)


def test_a_question_about_payment_is_not_a_payment_claim():
    r = classify("Re: reminder", "Could you confirm whether this invoice has already been paid?", sent=SENT)
    assert r.label is Label.QUESTION


def test_a_paid_claim_carries_its_evidence_amount_and_reference():
    r = classify("Re: reminder", "We paid EUR 1,250.00 yesterday, reference PAY-88231.", sent=SENT)
    assert r.label is Label.PAID
    assert r.confidence >= 0.8
    assert any("paid" in e.lower() for e in r.evidence)
    assert "EUR 1,250.00" in r.amounts
    assert "PAY-88231" in r.references


def test_two_things_said_lower_the_confidence():
    clear = classify("Re: reminder", "We will pay the invoice on Friday.", sent=SENT)
    mixed = classify("Re: reminder", "We will pay the invoice on Friday. The price on line 2 is wrong.",
                     sent=SENT)
    assert clear.confidence > mixed.confidence


def test_weak_words_alone_never_reach_the_threshold():
    r = classify("Re: reminder", "Something about this seems off.", sent=SENT)
    assert r.confidence < 0.8


@pytest.mark.parametrize(("text", "day"), [
    ("We'll pay by Friday.", date(2026, 11, 20)),
    ("Payment will go out at the end of the month.", date(2026, 11, 30)),
    ("We will pay on the 15th.", date(2026, 12, 15)),
    ("Wir zahlen morgen.", date(2026, 11, 19)),
])
def test_promised_dates_are_read_from_the_message_date(text, day):
    r = classify("Re: reminder", text, sent=SENT)
    assert r.label is Label.PROMISE
    assert r.promise_date == day


def test_out_of_office_with_its_return_date():
    r = classify("Automatic reply: Payment reminder",
                 "I am out of the office until 30 November with no access to email.", sent=SENT)
    assert r.label is Label.OUT_OF_OFFICE
    assert r.return_date in (date(2026, 11, 30), date(2026, 12, 1))


def test_an_auto_reply_from_an_unread_mailbox_is_other():
    r = classify("Automatic reply: Payment reminder",
                 "This mailbox is not monitored. Please use the supplier portal.", sent=SENT)
    assert r.label is Label.OTHER


def test_a_bounce_names_the_failed_address():
    r = classify("Undeliverable: Payment reminder",
                 "Delivery has failed to these recipients:\n\nap@client.test\n\n550 5.1.1 user unknown",
                 sent=SENT)
    assert r.label is Label.BOUNCE
    assert r.failed_address == "ap@client.test"


def test_a_forward_inside_the_client_is_other():
    r = classify("Fwd: Payment reminder", "Hi Sam, can you look at this one? Not sure we have it.", sent=SENT)
    assert r.label is Label.OTHER


def test_a_request_for_a_copy_is_a_question_marked_as_such():
    r = classify("Re: reminder", "Could you please send us a copy of the invoice?", sent=SENT)
    assert r.label is Label.QUESTION and r.copy_request


def test_the_same_reply_always_reads_the_same():
    text = "Wir werden die Rechnung nächste Woche begleichen."
    assert classify("AW: x", text, sent=SENT) == classify("AW: x", text, sent=SENT)


# -- the new text of a reply ----------------------------------------------------------------

def test_the_quoted_reminder_is_cut_away():
    body = ("We paid this on Monday.\n\nRegards,\nAnna\n\n"
            "On Tue, 17 Nov 2026 at 09:00, Accounts <ar@vendor.test> wrote:\n"
            "> Invoice INV-7 is overdue. If you have already paid, please ignore this.\n")
    text = replytext.new_text(body)
    assert "paid this on Monday" in text
    assert "overdue" not in text


def test_a_dutch_quote_header_with_the_address_after_schreef_is_cut():
    body = ("Ik betaal vrijdag.\n\nOp di 17 nov. 2026 om 09:00 schreef Debiteuren <ar@vendor.test>:\n\n"
            "Uw factuur is nog niet betaald.\n")
    text = replytext.new_text(body)
    assert text.startswith("Ik betaal vrijdag")
    assert "nog niet betaald" not in text


def test_html_only_mail_is_read_without_its_quoted_block():
    html = ("<html><body><p>Hi,</p><p>Payment was sent today.</p>"
            "<div class=\"gmail_quote\"><p>Your invoice is overdue, we have not been paid.</p></div>"
            "</body></html>")
    assert replytext.looks_like_html(html)
    text = replytext.new_text(html, html=True)
    assert "Payment was sent today" in text
    assert "overdue" not in text


def test_a_whole_message_is_read_from_its_best_part():
    msg = EmailMessage()
    msg["From"] = "Anna <anna@client.test>"
    msg["To"] = "ar@vendor.test"
    msg["Subject"] = "Re: Payment reminder INV-7"
    msg["Date"] = "Wed, 18 Nov 2026 09:30:00 +0100"
    msg.set_content("We will pay on Friday.\n")
    msg.add_alternative("<p>We will pay on <b>Friday</b>.</p>", subtype="html")
    r = replies.read_message(msg.as_bytes())
    assert r.label is Label.PROMISE
    assert r.promise_date == date(2026, 11, 20)


# -- arbot classify --------------------------------------------------------------------------

def test_arbot_classify_reads_json_lines_and_writes_one_line_each(tmp_path):
    lines = [
        {"id": "a", "subject": "Re: reminder", "body": "We will pay on Friday.",
         "date": "2026-11-18T09:30:00+01:00"},
        {"id": "b", "subject": "Re: reminder", "body": "We paid it yesterday."},
        "not an object",
    ]
    data = "\n".join(json.dumps(x) for x in lines) + "\n"
    r = subprocess.run([sys.executable, "-m", "bot", "classify"], input=data, capture_output=True,
                       text=True, timeout=60)
    out = [json.loads(x) for x in r.stdout.splitlines()]
    assert r.returncode == 1                       # one bad line, said so
    assert "line 3" in r.stderr
    assert out[0]["id"] == "a" and out[0]["label"] == "promise" and out[0]["promise_date"] == "2026-11-20"
    assert out[1]["label"] == "paid" and out[1]["promise_date"] is None and out[1]["evidence"]
    assert 0 <= out[1]["confidence"] <= 1
    assert out[2] == {"error": "expected an object with a text field 'body'", "line": 3}


def test_arbot_classify_reads_eml_files(tmp_path):
    msg = EmailMessage()
    msg["From"] = "MAILER-DAEMON@mx.client.test"
    msg["To"] = "ar@vendor.test"
    msg["Subject"] = "Undelivered Mail Returned to Sender"
    msg["Date"] = "Wed, 18 Nov 2026 09:30:00 +0100"
    msg.set_content("This is the mail system.\n\n<old@client.test>: host mx said: 550 5.1.1 User unknown\n")
    path = tmp_path / "bounce.eml"
    path.write_bytes(msg.as_bytes())
    r = subprocess.run([sys.executable, "-m", "bot", "classify", str(path)], capture_output=True,
                       text=True, timeout=60, check=True)
    result = json.loads(r.stdout)
    assert result["file"] == str(path)
    assert result["label"] == "bounce"
    assert result["failed_address"] == "old@client.test"
