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


# One reply per line, in everyday wordings: how people actually answer a reminder.
EVERYDAY = [
    ("paid", "Hi, this was settled on the 12th, please check your account."),
    ("paid", "We've already made this payment, see attached remittance."),
    ("paid", "Our records show this invoice was paid on 3 November via BACS."),
    ("paid", "Payment went through yesterday."),
    ("paid", "Hi, I paid this online last night with my credit card."),
    ("paid", "The funds were transferred on Monday, ref 4471."),
    ("paid", "This has been paid. Please stop chasing."),
    ("paid", "Hallo, der Betrag ist gestern rausgegangen."),
    ("paid", "Die Rechnung ist bereits beglichen."),
    ("paid", "Wir haben die Zahlung am Montag angewiesen."),
    ("paid", "Bonjour, la facture a été réglée le 5 novembre."),
    ("paid", "Nous avons viré le montant hier."),
    ("paid", "Hola, ya pagamos esa factura la semana pasada."),
    ("paid", "La transferencia se hizo el lunes."),
    ("paid", "Goedemiddag, de factuur is vorige week al voldaan."),
    ("paid", "Ik heb het bedrag gisteren overgemaakt."),
    ("promise", "We'll settle the balance next Friday."),
    ("promise", "Payment is scheduled for the 30th."),
    ("promise", "I can pay half now and the rest next month."),
    ("promise", "The invoice has been approved and will be in our next payment run on Thursday."),
    ("promise", "Give me until the end of the month please, I'll pay then."),
    ("promise", "Wir zahlen nächste Woche."),
    ("promise", "Die Überweisung erfolgt Anfang nächster Woche."),
    ("promise", "Nous effectuerons le virement lundi prochain."),
    ("promise", "Le paiement sera fait d'ici vendredi."),
    ("promise", "Le pagamos el viernes sin falta."),
    ("promise", "Realizaremos la transferencia a fin de mes."),
    ("promise", "We betalen de factuur volgende week."),
    ("promise", "Ik betaal het eind deze maand."),
    ("dispute", "We were charged for 10 hours but only 6 were worked."),
    ("dispute", "The goods arrived damaged, we won't pay until they're replaced."),
    ("dispute", "This invoice is a duplicate of INV-100 which we already paid."),
    ("dispute", "We never received the delivery."),
    ("dispute", "The price is not what we agreed."),
    ("dispute", "Die Rechnung ist falsch, der vereinbarte Preis war 50 Euro."),
    ("dispute", "Die Ware ist nie angekommen."),
    ("dispute", "Le montant ne correspond pas au devis."),
    ("dispute", "Nous n'avons jamais reçu la marchandise."),
    ("dispute", "El importe es incorrecto, no coincide con el presupuesto."),
    ("dispute", "No hemos recibido el pedido todavía."),
    ("dispute", "Het bedrag klopt niet met de offerte."),
    ("dispute", "De goederen zijn nooit geleverd."),
    ("question", "Can you send me your bank details?"),
    ("question", "What is this invoice for?"),
    ("question", "Could you resend the invoice, I can't find it."),
    ("question", "Do you accept payment by credit card?"),
    ("question", "Welche Bestellung betrifft diese Rechnung?"),
    ("question", "Pouvez-vous m'envoyer une copie de la facture ?"),
    ("question", "¿Me puede enviar la factura otra vez?"),
    ("question", "Kunt u de factuur nogmaals sturen?"),
    ("other", "Thanks for letting me know."),
    ("other", "I've passed this on to our accounts team."),
    ("other", "Please remove me from your mailing list."),
    ("other", "Danke für die Info."),
    ("other", "Merci, je transmets à la comptabilité."),
    ("other", "Gracias, lo reviso."),
    ("other", "Bedankt, ik stuur het door naar de administratie."),
    ("paid", "Hello, we sent the money on Friday. Can you confirm you got it?"),
    ("paid", "Sorted - paid this morning."),
    ("paid", "I believe this was cleared last week, attached is our bank statement."),
    ("paid", "Payment of $4,500 was processed on 11/12 under check #10442."),
    ("paid", "We settled all outstanding invoices in one payment on the 2nd."),
    ("paid", "Hi Sam, our AP team confirms the invoice was paid in full on 28 October."),
    ("paid", "Bezahlt am 12.11., siehe Anhang."),
    ("paid", "Die Zahlung wurde bereits am 3. November ausgeführt."),
    ("paid", "Facture payée le 2 novembre par virement."),
    ("paid", "Le règlement a été envoyé par chèque la semaine dernière."),
    ("paid", "Ya está pagado desde el viernes."),
    ("paid", "Os hicimos el pago ayer por la tarde."),
    ("paid", "Is vorige week betaald, zie bijlage."),
    ("paid", "We hebben de factuur op 3 november betaald."),
    ("promise",
     "Our accounts department will process your invoice on the next payment date, which is 25 November."),
    ("promise", "We are waiting for funds from our client; we expect to pay you by mid-December."),
    ("promise", "I'll transfer it tomorrow morning first thing."),
    ("promise", "Cheque will be posted tomorrow."),
    ("promise", "It's on our list for next week's run."),
    ("promise", "Sorry for the delay, payment should go out Monday."),
    ("promise", "Ich überweise den Betrag morgen."),
    ("promise", "Bezahlung erfolgt innerhalb der nächsten 14 Tage."),
    ("promise", "Je vous règle ça demain sans faute."),
    ("promise", "Le virement partira la semaine prochaine."),
    ("promise", "Te hago la transferencia mañana."),
    ("promise", "El pago saldrá el día 30."),
    ("promise", "Ik maak het morgen over."),
    ("promise", "De betaling volgt begin volgende maand."),
    ("dispute", "We returned the items on 3 November, please issue a credit note."),
    ("dispute", "This isn't right - we cancelled the order before it shipped."),
    ("dispute", "You've invoiced us twice for the same job."),
    ("dispute", "The work was never completed, so we are not paying."),
    ("dispute", "Wir haben die Lieferung reklamiert und zahlen erst nach Klärung."),
    ("dispute", "Der Auftrag wurde storniert, bitte Rechnung stornieren."),
    ("dispute", "La facture comporte une erreur : la remise de 10 % n'a pas été appliquée."),
    ("dispute", "Les pièces étaient défectueuses, nous les avons retournées."),
    ("dispute", "Nos cobraron dos veces el mismo servicio."),
    ("dispute", "El trabajo no se terminó, no vamos a pagar."),
    ("dispute", "Wij gaan niet akkoord met deze factuur, de uren kloppen niet."),
    ("dispute", "De levering was onvolledig, er ontbreken twee dozen."),
    ("question", "Hi, which bank account should we use? We have two on file for you."),
    ("question", "Could you tell me the PO number for this?"),
    ("question", "Is VAT included in this amount?"),
    ("question", "Who should I speak to about a payment plan?"),
    ("question", "Können Sie mir eine Kopie der Rechnung schicken?"),
    ("question", "Wie lautet Ihre IBAN?"),
    ("question", "Quel est le numéro de commande correspondant ?"),
    ("question", "¿Cuál es el número de cuenta para la transferencia?"),
    ("question", "Wat is het IBAN-nummer?"),
    ("other", "Noted, thanks."),
    ("other", "Hi, I'm no longer the right contact, please write to ap@client.test."),
    ("other", "Thank you, I have forwarded your email to our finance department."),
    ("other", "Ich habe Ihre Mail an die Buchhaltung weitergeleitet."),
    ("other", "J'ai transféré votre message à notre service comptable."),
    ("other", "He reenviado su correo a contabilidad."),
    ("other", "Ik heb uw mail doorgestuurd naar onze boekhouding."),
    ("other", "Got it, thanks Sam."),
    ("dispute", "I'm not happy with this bill. The technician was here for one hour, not three."),
    ("dispute", "We have an issue with this invoice: the discount we negotiated is missing."),
    ("dispute", "These charges were not authorised by anyone on our side."),
    ("dispute", "We will not be settling this until the faulty unit is collected."),
    ("dispute",
     "Please hold this invoice, there is a problem with the delivery that we are still discussing "
     "with your sales team."),
    ("dispute", "The quantity invoiced (50) does not reflect what was delivered (35)."),
    ("dispute", "We are querying this invoice with your account manager; please put it on hold."),
    ("dispute", "This was supposed to be covered by the warranty."),
    ("dispute", "We did not sign off on the extra work."),
    ("dispute", "Our contract ended in June, so we should not be billed for July."),
    ("dispute", "You charged us for next-day delivery but it took a week."),
    ("dispute", "We only received half of the order."),
    ("dispute", "The software never worked properly and we asked for a refund."),
    ("dispute", "I think you've made a mistake, we only ordered 20."),
    ("dispute", "This invoice is addressed to the wrong company, we never dealt with you."),
    ("dispute", "We are withholding payment pending resolution of the complaint we raised on 2 November."),
    ("dispute", "Leider stimmt die Rechnung nicht, es wurden 3 Stunden zu viel berechnet."),
    ("dispute", "Wir haben die Ware zurückgeschickt, die Rechnung ist daher hinfällig."),
    ("dispute", "Die Leistung wurde nicht erbracht."),
    ("dispute", "Wir bezahlen erst, wenn der Mangel behoben ist."),
    ("dispute", "Cette facture ne nous concerne pas, nous n'avons rien commandé."),
    ("dispute", "Les travaux ne sont pas terminés, nous ne paierons qu'à la réception."),
    ("dispute", "Le prix facturé est supérieur à celui convenu."),
    ("dispute", "Nous refusons de payer ces frais supplémentaires."),
    ("dispute", "Esta factura no nos corresponde, nunca contratamos ese servicio."),
    ("dispute", "El material llegó en mal estado, no pagaremos hasta que lo cambien."),
    ("dispute", "Hay un error en la factura, el descuento acordado no está aplicado."),
    ("dispute", "No estamos conformes con el importe facturado."),
    ("dispute", "De werkzaamheden zijn nog niet afgerond, dus we betalen nog niet."),
    ("dispute", "Er staat een verkeerd bedrag op de factuur."),
    ("dispute", "Wij hebben deze dienst nooit afgenomen."),
    ("dispute", "De korting die we hebben afgesproken ontbreekt."),
    ("question", "Hi, is this the final amount or will there be another invoice?"),
    ("question", "Can you tell me what the late fee on this invoice is for?"),
    ("question", "Please advise the correct remittance address."),
    ("question", "Can I pay by PayPal?"),
    ("question", "Könnten Sie mir die Rechnung bitte als PDF senden?"),
    ("question", "Est-il possible de payer en deux fois ?"),
    ("question", "¿Podemos pagar con tarjeta?"),
    ("question", "Kan ik in termijnen betalen?"),
    ("other", "Thanks Sam, appreciate the heads up."),
    ("other", "We have moved offices, our new address is 12 High Street."),
    ("other", "Please note our new accounts email is ap@new.test from now on."),
    ("other", "Hi, just confirming receipt of your email."),
    ("other", "Vielen Dank für den Hinweis."),
    ("promise", "It should be paid by Friday."),
    ("promise", "Should be paid within the next 10 business days."),
    ("promise", "They'll be paid in the next run."),
    ("promise", "Payment will go out first of the month."),
    ("promise", "Please allow until 12/15 for payment."),
    ("promise", "You should receive payment within 5-7 business days."),
    ("dispute", "We will make payment upon receipt of the corrected invoice."),
    ("dispute", "Ich wurde diesen Monat doppelt belastet. Bitte erstatten Sie den zweiten Betrag."),
    ("dispute", "On m'a prélevé deux fois ce mois-ci, merci de me rembourser."),
    ("dispute", "Di de baja el servicio en agosto, ¿por qué me siguen cobrando?"),
    ("dispute", "Ik ben deze maand twee keer afgeschreven. Graag één bedrag terugstorten."),
    ("dispute", "We have never heard of your company. Please remove us."),
    ("promise", "Können Sie mir bis Freitag Zeit geben? Dann zahle ich direkt."),
    ("promise", "Kan ik tot vrijdag uitstel krijgen? Dan betaal ik het direct."),
    ("promise", "Bonjour, je suis payé le 5, je règle la facture à ce moment-là."),
    ("other", "Can you reset my password? I'm locked out since yesterday."),
    ("other", "Pouvez-vous réinitialiser mon mot de passe ? Je n'arrive plus à me connecter."),
    ("paid", "Wir haben versehentlich doppelt bezahlt, bitte erstatten Sie uns den Betrag."),
    ("paid", "Meine Karte war abgelaufen, ich habe sie aktualisiert und die Zahlung ist durch."),
    ("paid", "Mijn pas was verlopen, ik heb hem bijgewerkt en de betaling is gelukt."),
    ("question", "Können Sie mir bitte eine Quittung für die letzte Zahlung schicken?"),
    ("question", "Pouvez-vous m'envoyer un reçu pour mon dernier paiement ?"),
    ("question", "Kunnen jullie mij een betaalbewijs sturen van de laatste betaling?"),
    ("other", "Bien reçu, merci."),
    ("other", "Recibido, gracias."),
    ("other", "Ontvangen, dank u."),
]


@pytest.mark.parametrize(("label", "text"), EVERYDAY)
def test_everyday_wordings(label, text):
    assert read(text, "Re: Payment reminder INV-7").value == label

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


@pytest.mark.parametrize("label, alone, backed", [
    (Label.PAID, "It has been settled.", "It has been settled by BACS on the 3rd."),
    (Label.PAID, "Das ist bereits bezahlt.", "Das ist bereits bezahlt, gestern per Überweisung."),
    (Label.DISPUTE, "The price is wrong.", "The price is wrong and two units arrived damaged."),
    (Label.DISPUTE, "Wir widersprechen dieser Rechnung.",
     "Wir widersprechen dieser Rechnung, die Lieferung war unvollständig."),
])
def test_one_phrase_alone_suggests_a_paid_claim_or_dispute_and_a_second_signal_lets_it_act(
        label: Label, alone: str, backed: str) -> None:
    one, two = classify("Re: reminder", alone, sent=SENT), classify("Re: reminder", backed, sent=SENT)
    assert one.label is two.label is label
    assert one.confidence < 0.8 <= two.confidence


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
    # handed on with a word about paying: still nothing said to us
    r = classify("FW: Payment reminder", "FYI - for Thursday's payment run.", sent=SENT)
    assert r.label is Label.OTHER


def test_a_forward_that_asks_us_something_is_a_question():
    r = classify("FW: Payment reminder",
                 "Not sure this one is ours. Is it for the Leeds site or the York one? "
                 "Could you tell me the delivery address?", sent=SENT)
    assert r.label is Label.QUESTION


@pytest.mark.parametrize(("label", "text"), [
    # a mismatch described, never named
    ("dispute", "The delivery note says 12 crates. You billed 20."),
    ("dispute", "Our count is 3 visits, not 5. Please correct."),
    ("dispute", "That's not what we agreed. The quote was a fixed fee."),
    ("dispute", "The service credit for the outage is not reflected on this invoice."),
    ("dispute", "Sure, I'll pay for 30 boxes when 18 turned up."),
    ("dispute", "Fix the hourly rate and we'll pay it the same day."),
    ("dispute", "The order was cancelled before dispatch, there is nothing to pay."),
    ("dispute", "Ce n'est pas ce qui était convenu, merci de refaire la facture."),
    ("dispute", "Die abgerechnete Menge passt nicht, bitte schicken Sie eine Korrekturrechnung."),
    # paid in few words
    ("paid", "Check 4471 cleared on our side last week, so you have the funds."),
    ("paid", "We show this as paid on 5/3, cheque 4471 - can you look again?"),
    ("paid", "Net amount of £1,204.50 went to you on the 13th."),
    ("paid", "Ist seit gestern raus."),
    # promise in few words
    ("promise", "End of next week at the latest."),
    ("promise", "Our next ACH cycle is the 1st and you're on it."),
    ("promise", "It's pencilled in for Thursday's cheque run."),
    ("promise", "Sorry, it slipped. I'll push it through tomorrow morning."),
    ("promise", "Staat ingepland voor de betaalrun van volgende week."),
    ("promise", "Le bon à payer est signé, ce sera réglé d'ici la fin du mois."),
    ("paid", "Treasury released the wire this morning, our ref TR-0088."),
    ("paid", "Payment number: 0004471\nPayment date: 05/18/2026\nPayment amount: 4,105.00 USD"),
    ("paid", "I've transferred £1,500 today as agreed on the phone."),
    ("dispute", "Finish the job and I'll pay it."),
    ("dispute", "The order was cancelled by phone on 4/6. Nothing was shipped to us."),
    ("other", "Your message to the ap-invoices list has been held for moderation."),
    ("other", "Please take this address off your list, it's my personal email."),
    # asking, not contesting or paying
    ("question", "Does this total already include credit note CN-118, or is that still to come?"),
    ("question", "Is the 2,400 gross or net of the early-payment discount?"),
    ("question", "what was the delivery date on this? we need it for the month end."),
    # other
    ("other", "I no longer handle this account - try Priya in accounts payables."),
    ("other", "Jan is taking over supplier payments, please send this to him going forward."),
    ("other", "Our bank details have been updated. Please send all payments to the new account below."),
    ("other", "I think I got this by mistake, I work in marketing."),
    ("other", "Lena - are we still using this courier after January?"),
    ("paid", "We paid $4,500.00 by mistake instead of $4,100.00, please refund the difference."),
    ("paid", "just zelle'd the full amount"),
    ("paid", "Dropped a cheque in your mailbox on my way home."),
    ("promise", "Proposal: $1,000 on the 5th, $1,000 on the 20th and the rest at the end of next month."),
    ("promise", "I can commit to paying in 3 weeks."),
    ("dispute", "Lieferschein: 8 Sensoren. Rechnung: 12 Sensoren."),
    ("dispute", "Afgesproken was € 1.600. Gefactureerd is € 2.180."),
    ("dispute", "We will pay for two licences; please reissue without the third."),
    ("question", "My accountant asks whether the 3,205 includes VAT or it comes on top."),
    ("other", "Marieke, kun jij deze even checken? Volgens mij hoort hij bij Zwolle."),
    ("other", "Op dit adres leest niemand mee."),
    # payment held back until the supplier's own work is done
    ("dispute", "Half the boxes arrived crushed. We'll pay once the replacement boxes are here."),
    ("dispute", "Two access points still do not work. Payment will be released once the snag list is closed"),
    ("dispute", "Paid the undisputed $3,220 today. The $800 expedite fee stays open until someone shows me "
                "where we asked for it - we ordered standard shipping."),
    ("dispute", "We will pay the catering invoice itself, but not the £65 late payment charge."),
    ("dispute", "Why are we billed 12 hours when your team was only on site for 6?"),
    ("dispute", "Warum werden uns 12 Stunden berechnet, wenn Ihr Team nur 6 Stunden vor Ort war?"),
    ("dispute", "Le bon indique 6 heures. Comment arrivez-vous à 12 heures de main-d'œuvre ?"),
    # the money has left, although it shows only later
    ("paid", "sent it thru the banking app just now, should show tomorrow"),
    ("paid", "That went across on Tuesday - £1,148.00 from our main account."),
    ("paid", "La factura salió hoy en la dispersión de pagos. El abono debería reflejarse mañana."),
    ("paid", "Hicimos la transferencia de 2.904,00 € el día 3. ¿Nos pueden confirmar si la han recibido?"),
    # asking after a credit the supplier already agreed to
    ("question", "Gary agreed to credit us for the two missed cleans. Has that credit note been raised yet?"),
    ("question", "¿Cómo va la nota de crédito que acordamos con su ejecutivo?"),
    ("question", "Hoe staat het met de creditnota die we met Henk hebben afgesproken?"),
    ("question", "Herr Hallbauer hat uns eine Gutschrift zugesagt. Wie ist der Stand?"),
    ("question", "Was this sent to our AP inbox? We have no trace of it. Please resend to ap@client.test."),
    # colleagues asking each other about their own side
    ("other", "Mark, did we get the goods for this? I don't see a receiving slip in the folder."),
    ("other", "Hallo Jörg, haben wir die Wartung in der Halle 2 eigentlich bekommen?"),
    ("other", "Rachel - do you know if this was ever approved? I don't remember signing off on 40 seats."),
    ("other", "Diese Adresse wird nicht mehr betreut: Rainer Koch hat unser Haus zum 30.06. verlassen."),
    # contests put politely, as requests
    ("dispute", "I may be missing something, but the quote said €2,350 and the invoice says €2,860. "
                "Could you explain where the difference comes from?"),
    ("dispute", "In Ihrem Angebot stand die Wartung mit 189 € pauschal. Berechnet sind 264 €. Können Sie mir "
                "erklären, woher der Unterschied kommt?"),
    ("dispute", "Could you show me where we agreed to the rush fee? I can't find it in the signed quote."),
    ("dispute", "We are not in a position to approve this invoice: our order covered three days, not five."),
    ("dispute", "Those four hours were spent waiting on your own subcontractor. Please take them off and "
                "send a revised invoice."),
    ("dispute", "Unless I'm mistaken, this is the same load as OLI-508870 that we settled last month."),
    ("dispute", "Nous vous demandons de retirer ces frais de la facture : le retard vient du transporteur."),
    ("other", "Photo contest winners, new fuel dock hours and the haul-out schedule: our autumn news."),
    # paid in other words
    ("paid", "We sent $2,500 toward this on Friday."),
    ("paid", "I've just put it through on your client portal with the practice card."),
    ("paid", "My statement shows £45.00 going to you on the 1st as usual."),
    # an earlier invoice paid, and this one asked about
    ("question", "We paid the last one by card through your link. Can we do the same with this one?"),
    ("question", "Die letzte Rechnung hatten wir per Lastschrift bezahlt. Geht das diesmal wieder?"),
    ("question", "La anterior la pagamos con tarjeta desde la web. ¿Podemos hacer lo mismo con esta?"),
    # promises in a second language, or put as a question with the days
    ("promise", "Our bookkeeper is on holiday. We pay it in two weeks when she is back, that is sure."),
    ("promise", "Ihr Beleg ist freigegeben. Die Auszahlung erfolgt im Sammellauf zum Monatsende."),
    ("other", "This is not about the bill. Your technician parked across my neighbour's drive on Tuesday."),
    # payments told as a status, or in a few words
    ("paid", "Our wire shows as completed since this morning, ref. W-55102."),
    ("paid", "The BACS payment has gone out today, our ref KL-3321."),
    ("paid", "Le virement est parti ce matin depuis le compte de la société."),
    # near misses: returned by the bank, another invoice, a belief, a colleague asked
    ("promise",
     "The transfer was returned by the bank (wrong sort code on "
     "our side). We will resend it Monday."),
    ("question", "We paid €900 last week, but that was for GH-2231. Could you tell us what this one is for?"),
    ("question", "I thought we paid this with the March batch. Could you check your records?"),
    ("other", "Tom - did we pay this already? Can you look in the folder when you're in?"),
    ("other", "Hallo Jana, haben wir das schon überwiesen? Schau bitte mal nach."),
    # promises: a proposal, a payables release in German
    ("promise", "Wij stellen voor om € 500,00 deze week over te maken en de rest op de 30e."),
    ("promise", "Der Beleg ist geprüft. Ausgezahlt wird mit dem nächsten Zahllauf."),
    # disputes: a fee to take off, a party that is not the client, a quote exceeded, asked why
    ("dispute", "The late fee on this invoice should be waived: your own portal was down on the due date."),
    ("dispute",
     "Our sister company ordered that load. We have no "
     "relationship with it; bill the right party."),
    ("dispute", "Your quote was a fixed price of £2,400, yet the invoice adds travel on top."),
    ("dispute", "Pourquoi facturez-vous une journée alors que l'intervention a duré deux heures ?"),
    ("dispute", "Di de baja el servicio en agosto. No debería haber ninguna factura de septiembre."),
    ("dispute",
     "Klopt het dat jullie het spoedtarief hebben gerekend? "
     "Volgens mij hoort hier het normale tarief op."),
    # mail written in haste: abbreviations, a cheque handed over, payment held until it works
    ("paid", "Proof of pmt attached, transfer went 5/11 with the invoice no. in the memo."),
    ("paid", "Gave your driver a cheque for the full amount when he collected the lift."),
    ("dispute", "We'll pay once the alarm is actually working. Your engineer never came back."),
    ("other", "Dieses Postfach ist seit dem Umzug nicht mehr besetzt. Nachrichten werden nicht gelesen."),
    # other: a mailbox that reads nothing, a ticket logged in French
    ("other", "This mailbox does not accept replies. Please use the supplier portal."),
    ("other",
     "Votre demande a été enregistrée sous la référence 48812. Ce "
     "message est généré automatiquement."),
    # disputes put as questions or remarks: what the contract covers, a charge asked after
    # rhetorically, goods nobody ordered, work not finished, an account already closed
    ("dispute", "Wasn't the install covered under the service agreement?"),
    ("dispute", "Ce n'était pas inclus dans l'abonnement ? On paie le forfait pour ça."),
    ("dispute", "How can we owe a late fee on parts we never got?"),
    ("dispute", "Since when do you bill for mileage?"),
    ("dispute", "No one here ordered the extra pallets."),
    ("dispute", "We'll settle it once the last desks show up."),
    ("dispute", "Our subscription was terminated in May, I have a cancellation number."),
    # payments told loosely, with a past day that is no promise
    ("paid", "The cheque was hand-delivered to your reception this morning."),
    ("paid", "Ya se la transferí el lunes."),
    ("paid", "Sent it over Monday"),
    ("paid", "It's been taken care of. Our bookkeeper did it yesterday."),
    ("paid", "Dropped the cheque off at your office Tuesday afternoon."),
    ("paid", "J'ai payé par virement mardi dernier."),
    # promises: a day with "OK?" after it, a cheque to be cut, a plan proposed, a bare "EOW",
    # a returned payment made again
    ("promise", "We can have the money to you by 12/20. OK?"),
    ("promise", "Your cheque should be cut Friday with the other suppliers."),
    ("promise", "Je vous propose de régler en trois fois."),
    ("promise", "EOW"),
    ("promise", "The wire was rejected by our bank, we'll resend Thursday."),
    # answers that commit to nothing, a recalled message, a mailbox nobody reads
    ("other", "I'll have a look when I'm back in the office."),
    ("other", "Ik zoek het uit."),
    ("other", "Maria Lopez would like to recall the message \"Overdue invoice\"."),
    ("other", "Op dit adres worden geen e-mails gelezen."),
    ("question", "whats the acct # for your bank"),
    # time asked for with the time named is a promise; a run the invoice is put in; a bare "EOM"
    ("promise", "Can we push this to the end of the month?"),
    ("promise", "is it ok if i do it next friday? card's maxed till then"),
    ("promise", "Kunnen we het naar het eind van de maand schuiven?"),
    ("promise", "Ist es in Ordnung, wenn wir die Hälfte jetzt und den Rest Ende des Monats überweisen?"),
    ("promise", "I've asked our bookkeeper to put it in Thursday's batch."),
    ("promise", "EOM\n\nBeth"),
    ("promise", "We're under a spending freeze until the budget is released. As soon as it is, this is "
                "first in line."),
    # disputes asked as requests: set against the contract, two prices, a line to come off, a
    # price raised without notice, a discount not applied, a warranty
    ("dispute", "Can you check this against our contract? We fixed the rate until June."),
    ("dispute", "Your price list says $18.40 a case, the invoice says $21.10. Which is it?"),
    ("dispute", "The shoot day was rained off and never rescheduled. Can that come off?"),
    ("dispute", "Mijn termijnbedrag is zomaar verhoogd. Dat ga ik zo niet betalen."),
    ("dispute", "The 10% discount wasn't applied to this invoice."),
    ("dispute", "Was this not covered under the warranty? The pump failed after seven months."),
    # payments told by what happened to the money
    ("paid", "The transfer left our account on the 28th, same as every month."),
    ("paid", "I called on the 12th and they took payment then, card ending 4410."),
    # a payables desk's automatic acknowledgement; someone who is no client
    ("other", "Thank you for contacting Acme Accounts Payable. Invoices are paid on net 60 terms."),
    ("other", "I don't have any account with you."),
    # a breakdown asked for; a bill for another entity; a run the invoice is set for; a payment
    # made by someone else's hand; a habit is no payment; a discount asked for poor work
    ("question", "Könnten Sie die Stunden bitte nach Mitarbeiter aufschlüsseln?"),
    ("question", "Kunnen jullie de uren per medewerker uitsplitsen?"),
    ("dispute", "This should have been billed to our Houston entity, not to us."),
    ("promise", "The invoice has been approved and is set for our Thursday check run."),
    ("promise", "Talked to my wife who does the books. She'll put it through Monday."),
    ("question", "We normally pay by cheque. Is that still fine?"),
    ("dispute", "The cleaning was not done properly in March. I don't want to pay full price for it."),
    # a part paid and the rest promised is a payment; a cheque left; a plan asked for with its
    # time in the next sentence; a purpose is no promise
    ("paid", "I sent £50 on Friday and will send the rest when I'm paid at the end of the month."),
    ("paid", "I left a cheque for the subs in the box in the clubhouse on Saturday, no. 000417."),
    ("promise", "Kann ich in Raten zahlen? 50 € im Monat, immer zum 1., vier Monate lang."),
    ("question", "can you tell me the exact amount so I can clear the account in one go"),
    # a frozen membership still charged; not paying twice; a copy asked for at another address
    ("dispute", "I froze my membership in June, so why is there a charge for July?"),
    ("dispute", "The deposit was meant to cover the clean. I'm not paying for the same thing twice."),
    ("question", "Could you resend this to invoices@farm.example? The old address is no longer monitored."),
    # terse answers that look like "other": a payment done, a commitment made
    ("paid", "Handled - thx"),
    ("paid", "ok - that one's done now, apologies."),
    ("promise", "Wird erledigt."),
    ("promise", "OK, sous quinze jours."),
    ("question", "Mag ik het in twee keer betalen? Is wat krap deze maand."),
    # "since when" and "nowhere in the contract" in other languages; a retainer
    ("dispute", "Seit wann kostet die Anfahrt extra? Im Wartungsvertrag steht Anfahrt inklusive."),
    ("dispute", "Waar komt die 12% toeslag ineens vandaan? Staat nergens in ons contract."),
    ("dispute", "Was this not covered by the retainer? Our engagement letter says filings are included."),
])
def test_short_and_indirect_wordings(label, text):
    assert read(text).value == label


def test_a_word_that_only_looks_like_paying_is_not_a_promise():
    # "payables" is a department and "try" a suggestion: nobody promises anything here
    assert read("Try Omar in payables for this one.") is not Label.PROMISE


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


@pytest.mark.parametrize(("subject", "text", "label"), [
    # "Automatic reply:" over a notice that tells of no absence is no out-of-office reply
    ("Automatic reply: Payment reminder", "Please note our new address: finance@firm.example.", Label.OTHER),
    ("Automatische Antwort: Zahlungserinnerung",
     "Ihre Rechnung ist bei uns eingegangen und wird gemäß unseren Zahlungsbedingungen bearbeitet.",
     Label.OTHER),
    ("Automatic reply: Payment reminder", "I am currently off sick. Your email will not be forwarded.",
     Label.OUT_OF_OFFICE),
    ("Out of Office AutoReply: Overdue account", "On site in Corpus, back Thurs.", Label.OUT_OF_OFFICE),
    # a gateway that held the reminder back
    ("Message Quarantined", "A message you sent was held in quarantine and has NOT been delivered.",
     Label.BOUNCE),
])
def test_automatic_mail_is_told_by_what_it_says(subject: str, text: str, label: Label) -> None:
    assert read(text, subject) == label


@pytest.mark.parametrize("text", [
    "We deposited the check you sent us last week.",       # money received, not paid
    "The card payment never went through.",
    "I tried to pay online but the transfer didn't go through.",
])
def test_money_that_did_not_go_out_never_acts_as_paid(text: str) -> None:
    r = classify("Re: Payment reminder: invoice INV-7", text, sent=SENT)
    assert not (r.label is Label.PAID and r.confidence >= 0.8)


def test_a_long_reply_is_read_from_its_opening() -> None:
    from bot.core import learned
    text = "We paid the invoice yesterday by transfer, ref 55120.\n\n" + "Minutes of the site meeting. " * 400
    r = classify("Re: Payment reminder: invoice INV-7", text, sent=SENT)
    assert r.label is Label.PAID
    assert len(r.text) == learned.LIMIT


def test_a_list_of_points_is_read_and_a_dash_signature_is_not():
    body = ("Hi Tom,\n\nA few things from last night:\n\n- The board moved the spring visit to May.\n"
            "- Rita paid the October invoice on Thursday.\n\nThanks,\nDeb\n\n"
            "On Tue, 17 Nov 2026 at 09:00, Accounts <ar@vendor.test> wrote:\n> Invoice INV-7 is overdue.\n")
    text = replytext.new_text(body)
    assert "Rita paid the October invoice on Thursday." in text
    assert "overdue" not in text
    assert replytext.new_text("Paid today.\n\n-John\nAcme Supplies\n555-0100\n") == "Paid today."


def test_a_lotus_notes_reply_header_is_cut():
    body = ("Our agreement K-4471 has a rate of $0.1850/Dth; this invoice uses $0.2610.\n\nM. Strand\n\n"
            "Calloway Transport <receivables@calloway.test>\n01/03/2025 09:00 AM\n\nTo\nMonica Strand\ncc\n\n"
            "Subject\nPast due: invoice CGT-258834\n\n"
            "If payment has already been released, please send a remittance advice.\n")
    text = replytext.new_text(body)
    assert text.startswith("Our agreement K-4471")
    assert "remittance" not in text and "Past due" not in text


def test_answers_marked_with_initials_in_the_quoted_reminder_are_read():
    body = ("See my answers below.\n\n-----Original Message-----\nFrom: Billing <ar@vendor.test>\n"
            "Subject: Payment reminder: invoice INV-7\n\nInvoice INV-7 for $1,488.00 is still unpaid.\n\n"
            "[SW] We mailed check #10382 for this on 4/8.\n\nPlease arrange payment.\n")
    text = replytext.new_text(body)
    assert text.startswith("See my answers below.")
    assert "We mailed check #10382 for this on 4/8." in text
    assert "still unpaid" not in text
    assert "[SW]" not in replytext.new_text(body.replace("See my answers below.", "Thanks."))


@pytest.mark.parametrize("body", [
    "Klopt dit wel? We hebben 30 dozen ontvangen.\n\nOp 7 oktober 2025 om 09:30 heeft Groothandel "
    "<ar@vendor.test> het volgende geschreven:\n\nUw factuur staat nog open.\n",
    "Klopt dit wel? We hebben 30 dozen ontvangen.\n\n---------------------- Forwarded by Kees/HOU/ECT on "
    "10/07/2025 09:15 AM ---------------------------\n\nUw factuur staat nog open.\n",
])
def test_dutch_and_lotus_forward_headers_are_cut(body: str) -> None:
    assert replytext.new_text(body) == "Klopt dit wel? We hebben 30 dozen ontvangen."


def test_answers_written_between_the_quoted_lines_are_read():
    body = ("Answers below.\n\n-----Original Message-----\nFrom: Credit <credit@vendor.test>\n\n"
            "> The item below is open on your account:\n>  Invoice CIS-591877, $842.16\n\n"
            "Paid 9/18, ACH, $842.16 - confirmation 0000731182.\n\n"
            "> Kindly remit or advise status\n> and quote the invoice number.\n"
            "wrapped rest of a quoted line\n\n> Credit Department\n\nGlenda\n")
    text = replytext.new_text(body)
    assert text.startswith("Answers below.")
    assert "Paid 9/18, ACH, $842.16" in text
    assert "open on your account" not in text and "wrapped rest" not in text and "Glenda" not in text


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
