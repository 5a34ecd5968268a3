"""Dates in replies, read by the convention: what a client promises, when someone is back."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.core.when import Found, dates, promised_date, return_date

# Wednesday 18 November 2026, mid-morning in Berlin: this week's Friday is the 20th, next
# week's the 27th, the month ends on the 30th
WED = datetime.fromisoformat("2026-11-18T10:15:00+01:00")
FRI = datetime.fromisoformat("2026-11-20T09:00:00+01:00")
SUN = datetime.fromisoformat("2026-11-22T18:00:00+01:00")
AUG_20 = datetime.fromisoformat("2026-08-20T08:00:00+02:00")
DEC_10 = datetime.fromisoformat("2026-12-10T11:00:00+00:00")
DEC_28 = datetime.fromisoformat("2026-12-28T11:00:00-05:00")


def nov(day: int) -> date:
    return date(2026, 11, day)


def dec(day: int) -> date:
    return date(2026, 12, day)


def promised(text: str, sent: datetime = WED) -> date | None:
    found = promised_date(text, sent)
    return found.day if found else None


def back(text: str, sent: datetime = WED) -> date | None:
    found = return_date(text, sent)
    return found.day if found else None


@pytest.mark.parametrize("text, expected", [
    ("We will pay the invoice today.", nov(18)),
    ("We will transfer the amount tomorrow.", nov(19)),
    ("Payment goes out the day after tomorrow.", nov(20)),
    ("Wir überweisen den Betrag heute noch.", nov(18)),
    ("Wir zahlen morgen.", nov(19)),
    ("Die Zahlung erfolgt uebermorgen.", nov(20)),
    ("Nous réglerons la facture aujourd'hui.", nov(18)),
    ("Le virement partira demain.", nov(19)),
    ("Nous paierons apres-demain.", nov(20)),
    ("Pagaremos hoy mismo.", nov(18)),
    ("Haremos la transferencia manana.", nov(19)),
    ("Pagaremos pasado mañana.", nov(20)),
    ("We betalen vandaag nog.", nov(18)),
    ("We maken het bedrag morgen over, de betaling is dan binnen.", nov(19)),
    ("Wij betalen overmorgen.", nov(20)),
])
def test_today_tomorrow_and_the_day_after(text: str, expected: date) -> None:
    assert promised(text) == expected


@pytest.mark.parametrize("text, sent, expected", [
    ("We will pay by Friday.", WED, nov(20)),
    ("We will pay on Friday.", FRI, nov(27)),         # strictly after the day it was written
    ("We will pay next Wednesday.", WED, nov(25)),    # "next" follows the same rule
    ("Payment will be made on Monday.", WED, nov(23)),
    ("Wir zahlen am Freitag.", WED, nov(20)),
    ("Die Überweisung erfolgt nächsten Dienstag.", WED, nov(24)),
    ("Nous réglerons vendredi.", WED, nov(20)),
    ("Le paiement sera effectué lundi prochain.", WED, nov(23)),
    ("Pagaremos el viernes.", WED, nov(20)),
    ("Haremos el pago el miercoles.", WED, nov(25)),
    ("We betalen vrijdag.", WED, nov(20)),
    ("De betaling volgt aanstaande maandag.", WED, nov(23)),
    ("WE WILL PAY BY THURSDAY.", WED, nov(19)),
])
def test_a_weekday_is_the_next_one_after_the_day_written(text: str, sent: datetime, expected: date) -> None:
    assert promised(text, sent) == expected


@pytest.mark.parametrize("text, expected", [
    ("We will pay by the end of this week.", nov(20)),
    ("Payment will be made by the end of the week.", nov(20)),
    ("We will pay next week.", nov(27)),
    ("We will settle the invoice in the course of next week.", nov(27)),
    ("Wir zahlen diese Woche.", nov(20)),
    ("Wir überweisen bis Ende der Woche.", nov(20)),
    ("Wir überweisen naechste Woche.", nov(27)),
    ("Die Zahlung erfolgt im Laufe der nächsten Woche.", nov(27)),
    ("Nous payerons cette semaine.", nov(20)),
    ("Le virement sera fait la semaine prochaine.", nov(27)),
    ("Pagaremos esta semana.", nov(20)),
    ("Pagaremos la semana que viene.", nov(27)),
    ("Realizaremos el pago la próxima semana.", nov(27)),
    ("We betalen deze week.", nov(20)),
    ("We betalen volgende week.", nov(27)),
    ("De betaling volgt in de loop van volgende week.", nov(27)),
])
def test_this_week_and_next_week_end_on_friday(text: str, expected: date) -> None:
    assert promised(text) == expected


def test_this_week_is_the_iso_week_even_when_its_friday_is_past() -> None:
    assert [f.day for f in dates("this week", SUN)] == [nov(20)]
    assert [f.day for f in dates("next week", SUN)] == [nov(27)]


@pytest.mark.parametrize("text, sent, expected", [
    ("We will pay by the end of the month.", WED, nov(30)),
    ("We will pay by month end.", WED, nov(30)),
    ("We will pay next month.", WED, dec(31)),
    ("We will pay early next month.", WED, dec(5)),
    ("Payment at the beginning of next month.", WED, dec(5)),
    ("Wir zahlen bis Ende des Monats.", WED, nov(30)),
    ("Wir überweisen zum Monatsende.", WED, nov(30)),
    ("Wir überweisen Anfang nächsten Monats.", WED, dec(5)),
    ("Wir zahlen nächsten Monat.", WED, dec(31)),
    ("Nous réglerons la facture à la fin du mois.", WED, nov(30)),
    ("Le paiement interviendra le mois prochain.", WED, dec(31)),
    ("Virement début du mois prochain.", WED, dec(5)),
    ("Pagaremos a final de mes.", WED, nov(30)),
    ("Pagaremos a fin de mes.", WED, nov(30)),
    ("Pagaremos a principios del mes que viene.", WED, dec(5)),
    ("Haremos la transferencia el mes que viene.", WED, dec(31)),
    ("We betalen eind van de maand.", WED, nov(30)),
    ("We betalen einde van de maand.", WED, nov(30)),
    ("We betalen begin volgende maand.", WED, dec(5)),
    ("De betaling volgt volgende maand.", WED, dec(31)),
    ("We will pay next month.", DEC_10, date(2027, 1, 31)),
    ("Wir zahlen Anfang nächsten Monats.", DEC_10, date(2027, 1, 5)),
])
def test_month_ends_and_early_next_month(text: str, sent: datetime, expected: date) -> None:
    assert promised(text, sent) == expected


@pytest.mark.parametrize("text, sent, expected", [
    ("We will pay mid-month.", WED, dec(15)),                 # the 15th of November is past
    ("We will pay mid-month.", datetime.fromisoformat("2026-11-02T09:00:00+01:00"), nov(15)),
    ("Wir zahlen Mitte des Monats.", WED, dec(15)),
    ("Pagaremos a mediados de mes.", WED, dec(15)),
    ("We betalen medio de maand.", WED, dec(15)),
    ("Payment will go out on the first of the month.", WED, dec(1)),
    ("Wir zahlen am ersten des nächsten Monats.", WED, dec(1)),
    ("We will pay in the next day or two.", WED, nov(20)),
    ("Nous paierons d'ici un ou deux jours.", WED, nov(20)),
    ("We expect to pay by the end of the quarter.", WED, dec(31)),
    ("We expect to pay by the end of the quarter.", AUG_20, date(2026, 9, 30)),
    ("Wir zahlen zum Quartalsende.", WED, dec(31)),
])
def test_mid_month_first_of_month_a_day_or_two_quarter_end(text: str, sent: datetime, expected: date) -> None:
    assert promised(text, sent) == expected


@pytest.mark.parametrize("text, sent, expected", [
    ("Payment will be made on the 25th.", WED, nov(25)),
    ("Payment will be made on the 15th.", WED, dec(15)),
    ("We will pay on the 31st.", WED, dec(31)),        # November has no 31st
    ("We will pay on the 18th.", WED, nov(18)),        # on or after: today counts
    ("Wir zahlen am 25.", WED, nov(25)),
    ("Wir überweisen bis zum 15.", WED, dec(15)),
    ("Nous réglerons le 15.", WED, dec(15)),
    ("Pagaremos el día 15.", WED, dec(15)),
    ("Pagaremos el 25.", WED, nov(25)),
    ("Wij betalen op de 15e.", WED, dec(15)),
    ("We will pay on the 5th.", DEC_28, date(2027, 1, 5)),
])
def test_a_day_of_the_month_is_the_first_one_on_or_after_the_day_written(
        text: str, sent: datetime, expected: date) -> None:
    assert promised(text, sent) == expected


@pytest.mark.parametrize("text, sent, expected", [
    ("We will pay on 15 December.", WED, dec(15)),
    ("We will pay on December 15.", WED, dec(15)),
    ("We will pay on Dec 15th.", WED, dec(15)),
    ("We will pay on the 15th of December 2026.", WED, dec(15)),
    ("We will pay on December 15, 2026.", WED, dec(15)),
    ("Wir zahlen am 15.12.", WED, dec(15)),
    ("Wir zahlen am 15.12.2026.", WED, dec(15)),
    ("Wir zahlen am 15. Dezember.", WED, dec(15)),
    ("Wir überweisen am 3. Maerz.", WED, date(2027, 3, 3)),
    ("Zahlung am 3. Mrz.", WED, date(2027, 3, 3)),
    ("Payment on 2026-12-15.", WED, dec(15)),
    ("Nous réglerons la facture le 15 décembre.", WED, dec(15)),
    ("Nous réglerons la facture le 15 decembre.", WED, dec(15)),
    ("Nous paierons le 1er décembre.", WED, dec(1)),
    ("Virement le 14 juil.", WED, date(2027, 7, 14)),
    ("Pagaremos el 15 de diciembre.", WED, dec(15)),
    ("Pagaremos el 15 de diciembre de 2026.", WED, dec(15)),
    ("We betalen op 15 december.", WED, dec(15)),
    ("We will pay on 15 Sept.", AUG_20, date(2026, 9, 15)),
    ("Nous réglerons le 15 sept.", AUG_20, date(2026, 9, 15)),
    ("We will pay on 15 January.", DEC_10, date(2027, 1, 15)),   # a missing year: the next one
    ("We will pay on 05/12/2026.", WED, dec(5)),                 # day first
    ("We will pay on 12/15/2026.", WED, dec(15)),                # ... unless it cannot be
    ("Payment is scheduled for 12/1.", WED, dec(1)),             # both ways: the first ahead
    ("Payment is scheduled for 1/12.", WED, dec(1)),
    ("Check will be mailed 12/02/2026.", WED, dec(2)),           # 12 February is past
    ("Wir zahlen am 1.12.", WED, dec(1)),                        # dots: always day first
    ("Wir zahlen am 12.01.", WED, date(2027, 1, 12)),
    ("Wir zahlen am 05.12.26.", WED, dec(5)),
    ("We will pay on 15/12.", WED, dec(15)),
    ("We will pay on Friday, 27 November.", WED, nov(27)),
])
def test_explicit_dates(text: str, sent: datetime, expected: date) -> None:
    assert promised(text, sent) == expected


@pytest.mark.parametrize("text, expected", [
    ("We will pay in 2 weeks.", dec(2)),
    ("We will pay in two weeks' time.", dec(2)),
    ("We will pay within 10 days.", nov(28)),
    ("We will transfer the money in three days.", nov(21)),
    ("Wir zahlen in zwei Wochen.", dec(2)),
    ("Wir überweisen innerhalb von 10 Tagen.", nov(28)),
    ("Wir zahlen in drei Tagen.", nov(21)),
    ("Nous réglerons dans 10 jours.", nov(28)),
    ("Paiement sous 15 jours.", dec(3)),
    ("Nous payerons dans dix jours.", nov(28)),
    ("Pagaremos en 10 días.", nov(28)),
    ("Pagaremos dentro de 2 semanas.", dec(2)),
    ("Haremos la transferencia en diez dias.", nov(28)),
    ("We betalen binnen 10 dagen.", nov(28)),
    ("We betalen over twee weken.", dec(2)),
    ("De betaling volgt binnen een week.", nov(25)),
    ("We will pay in 2 or 3 weeks.", dec(9)),                   # a range: its longer end
    ("Wir zahlen in 2-3 Wochen.", dec(9)),
])
def test_in_n_days_or_weeks(text: str, expected: date) -> None:
    assert promised(text) == expected


@pytest.mark.parametrize("text", [
    "31 February", "31.02.", "30/02/2027", "2026-02-30", "2026-13-01", "31 juin", "el 31 de abril",
])
def test_impossible_dates_are_no_dates(text: str) -> None:
    assert dates(text, WED) == []


@pytest.mark.parametrize("text, sent, expected", [
    # 23:30 on Friday in California is already Saturday in UTC: the sender's Friday counts
    ("We will pay tomorrow.", "2026-11-20T23:30:00-08:00", nov(21)),
    ("We will pay today.", "2026-11-20T23:30:00-08:00", nov(20)),
    ("We will pay on Monday.", "2026-11-20T23:30:00-08:00", nov(23)),
    # 06:00 on Saturday in Sydney is still Friday in UTC: the sender's Saturday counts
    ("We will pay today.", "2026-11-21T06:00:00+10:00", nov(21)),
    ("We will pay tomorrow.", "2026-11-21T06:00:00+10:00", nov(22)),
    ("We will pay on Saturday.", "2026-11-21T06:00:00+10:00", nov(28)),
    ("We will pay this week.", "2026-11-21T06:00:00+10:00", None),   # its Friday was yesterday
    ("We will pay tomorrow.", "2026-11-20T23:30:00", nov(21)),       # naive: taken as it is
])
def test_relative_dates_follow_the_senders_own_calendar_day(text: str, sent: str, expected: date) -> None:
    assert promised(text, datetime.fromisoformat(sent)) == expected


@pytest.mark.parametrize("text, expected", [
    ("Regarding invoice 2026-114 of 3 November: we will pay it on 5 December.", dec(5)),
    ("Thank you for your reminder of 12 November. We will transfer the amount on Friday.", nov(20)),
    ("Ihre Rechnung vom 2.11. überweisen wir am 27.11.", nov(27)),
    ("Suite à votre relance du 12 novembre, nous réglerons la facture le 4 décembre.", dec(4)),
    ("La factura del 3 de noviembre la pagaremos el 2 de diciembre.", dec(2)),
    ("De factuur van 3 november betalen wij op 2 december.", dec(2)),
    ("We paid the October invoice on 2 November and will pay this one on 30 November.", nov(30)),
    ("We paid the first half on the 16th; the rest will be paid on the 15th.", dec(15)),
    ("We paid EUR 1,200 on 2026-11-02 and will pay the rest on 2026-11-30.", nov(30)),
    ("Our accountant is on holiday until 30 November; we will pay next week.", nov(27)),
    ("Unsere Buchhaltung ist bis 30.11. im Urlaub, wir zahlen nächste Woche.", nov(27)),
    ("We will pay on Friday, the invoice is only due on 30 November.", nov(20)),
    ("Wir überweisen am Freitag, die Rechnung ist erst am 30.11. fällig.", nov(20)),
    ("We will pay half on Friday and the rest by the end of the month.", nov(30)),
    ("Thanks. I'm at a trade fair on Monday.\n\nWe will pay on Thursday.", nov(19)),
    ("We will pay by Friday, 27 November at the latest.", nov(27)),
    ("We will pay on Monday. Paying at the end of the month is not possible.", nov(23)),
    ("Wir überweisen am Montag; Ende des Monats ist leider nicht möglich.", nov(23)),
    ("Hoy no podemos pagar, lo haremos el viernes.", nov(20)),
    ("The transfer bounced on Monday; we will send it again on Friday.", nov(20)),
    ("We cannot pay before the 15th.", dec(15)),              # not before: on the 15th
    ("We kunnen pas na 1 december betalen.", dec(1)),
    ("Could you give us two more weeks? We will pay then.", dec(2)),
    ("Könnten Sie uns noch zwei Wochen geben? Dann zahlen wir.", dec(2)),
    ("Pourriez-vous nous accorder encore deux semaines pour le paiement ?", dec(2)),
    ("Our director is back on Monday and will sign the payment then.", nov(23)),
])
def test_only_the_date_the_client_commits_to_counts(text: str, expected: date) -> None:
    assert promised(text) == expected


@pytest.mark.parametrize("text", [
    "We will pay as soon as possible.",
    "We will pay shortly.",
    "Wir zahlen so bald wie möglich.",
    "Nous réglerons dès que possible.",
    "Pagaremos lo antes posible.",
    "Wij betalen zo snel mogelijk.",
    "We transferred the amount last Friday.",
    "We will pay as soon as our own customer pays us, which they promised last week.",
    "Heute ist es leider nicht möglich, wir zahlen sobald wie möglich.",
    "Hoy no nos es posible, pagaremos en cuanto podamos.",
    "Die Zahlung wurde am 12.11.2026 ausgeführt.",
    "",
])
def test_no_date_promised(text: str) -> None:
    assert promised_date(text, WED) is None


@pytest.mark.parametrize("text, expected", [
    ("I am out of the office until 30 November.", dec(1)),
    ("I am on leave and will be back on 30 November.", nov(30)),
    ("I am away until Friday.", nov(21)),
    ("Returning Monday 23 November.", nov(23)),
    ("I am out of the office until and including 27 November.", nov(28)),
    ("I am out of office from 16 to 27 November, back on 30 November.", nov(30)),
    ("I'm out of the office and back tomorrow.", nov(19)),
    ("I will be back next week.", nov(27)),
    ("Ich bin bis 27.11. abwesend.", nov(28)),
    ("Ich bin bis einschließlich 27. November nicht im Büro.", nov(28)),
    ("Ab dem 30.11. bin ich wieder erreichbar.", nov(30)),
    ("Ich bin am Montag wieder im Büro.", nov(23)),
    ("Ich bin vom 16.11. bis 27.11. im Urlaub.", nov(28)),
    ("Out of office 16.11.–27.11.", nov(28)),
    ("Je suis absent jusqu'au 27 novembre.", nov(28)),
    ("Je serai de retour le 30 novembre.", nov(30)),
    ("Je suis en congé, de retour lundi.", nov(23)),
    ("Estoy ausente hasta el 27 de noviembre.", nov(28)),
    ("Estaré de vuelta el 30 de noviembre.", nov(30)),
    ("Ik ben afwezig tot en met 27 november.", nov(28)),
    ("Ik ben vanaf 30 november weer aanwezig.", nov(30)),
    ("Ik ben met vakantie en maandag terug.", nov(23)),
    ("I am out of the office on Friday 20 November.", nov(21)),   # one day away
    ("I am out of the office from 24/11/2026 and will not return until 30/11/2026.", nov(30)),
    ("No volveré a la oficina hasta el 30 de noviembre.", nov(30)),
    ("Ich bin ab Montag, dem 30.11.2026, wieder im Büro.", nov(30)),
    ("Our office is closed from 21 December and reopens on 4 January.", date(2027, 1, 4)),
    ("Out today, back in tomorrow.", nov(19)),
    ("Ich bin am 20.11. nicht im Büro.", nov(21)),
    # the words between the dates decide, and mail answered again is a day back
    ("Ik ben deze week niet op kantoor en vanaf maandag 30 november weer aanwezig.", nov(30)),
    ("Die Werkstatt ist zu. E-Mails bearbeiten wir ab Montag, 11. Jänner 2027.", date(2027, 1, 11)),
])
def test_out_of_office_back_on_x_is_x_and_until_x_is_the_day_after(text: str, expected: date) -> None:
    assert back(text) == expected


def test_out_of_office_without_a_date() -> None:
    assert return_date("I am currently out of the office with limited access to email.", WED) is None


def test_until_is_read_with_its_words() -> None:
    text = "Ich bin bis einschließlich 27. November nicht im Büro."
    assert return_date(text, WED) == Found(nov(28), "bis einschließlich 27. November", 8, 39)


def test_the_phrase_is_the_text_as_written() -> None:
    text = "Hallo,\nwir überweisen am Freitag, den 27. den offenen Betrag."
    found = promised_date(text, WED)
    assert found is not None
    assert (found.day, found.phrase) == (nov(27), "Freitag, den 27.")
    assert text[found.start:found.end] == found.phrase


def test_dates_lists_every_expression_in_order() -> None:
    text = "Invoice of 3 November 2026; we will pay next week, at the latest on 2 December."
    assert [(f.day, f.phrase) for f in dates(text, WED)] == [
        (nov(3), "3 November 2026"), (nov(27), "next week"), (dec(2), "2 December")]


@pytest.mark.parametrize("text", [
    "Call us 24/7 on +49 30 1234567.",
    "Guten Morgen Frau Weber,",
    "The total is 15.12 EUR, 1/2 of it now.",
    "Office hours Monday - Friday 9-17.",
    "Estaremos en la oficina por la mañana.",
    "This is our 2nd reminder.",
    "Die 2. Mahnung ist angekommen, den 3. Mahnlauf brauchen wir nicht.",
    "Dit is al de 2e herinnering.",
    "Le 2e rappel est arrivé.",
    "Nos aplicaron el 10 de descuento.",
])
def test_words_that_only_look_like_dates(text: str) -> None:
    assert dates(text, WED) == []


def test_last_weekday_is_in_the_past() -> None:
    text = "letzten Freitag, vendredi dernier, el viernes pasado"
    assert [f.day for f in dates(text, WED)] == [nov(13)] * 3


@pytest.mark.parametrize("text, sent, expected", [
    ("We should manage it in a couple of weeks.", WED, dec(2)),
    ("I'll send it Friday week.", WED, nov(27)),
    ("will pay next Tues", WED, nov(24)),
    ("Should go by Fri.", WED, nov(20)),
    ("We'll have it sorted by the weekend.", WED, nov(20)),
    ("Die Zahlung ist für KW 49 eingeplant.", WED, dec(4)),
    ("Zahlung erfolgt in der KW 2.", DEC_28, date(2027, 1, 15)),
])
def test_short_weekdays_friday_week_the_weekend_and_calendar_weeks(
        text: str, sent: datetime, expected: date) -> None:
    assert promised(text, sent) == expected


@pytest.mark.parametrize("text, sent, expected", [
    # a payment plan told in amounts: the last instalment, not the day the transfers are set up
    ("We can do $500 on the 1st, $500 on the 15th and the rest by the end of next month. "
     "I'll set them up with the bank today.", WED, date(2026, 12, 31)),
    ("It goes to Monday's approval batch, then AP releases on the next cycle, so you should see it "
     "Wednesday.", WED, nov(25)),
    ("Give me three weeks and it's paid.", WED, dec(9)),
    ("It's queued for the thurs check run.", WED, nov(19)),
    ("Expect payment mid next month.", WED, dec(15)),
    ("I'll run the card tomorrow morning when I'm back at the desk.", WED, nov(19)),
])
def test_the_day_the_money_comes_is_the_one_promised(text: str, sent: datetime, expected: date) -> None:
    assert promised(text, sent) == expected


def test_a_weekday_that_recurs_is_no_date() -> None:
    assert promised("Our AP runs checks on Thursdays, so you should have it next week.") == nov(27)
    assert promised("Wir zahlen freitags.") is None


def test_a_day_the_client_gets_paid_is_not_a_day_told_of_as_past() -> None:
    assert promised("I will pay on Friday when I get paid.") == nov(20)
    assert promised("I get paid on the 25th, will pay then.") == nov(25)


@pytest.mark.parametrize("text, expected", [
    # the day in the clause that pays wins over a day told beside it
    ("Can you give me till Friday? Wages go in Thursday night and I'll pay it online first thing.", nov(20)),
    ("El lunes me llega la tarjeta nueva y el viernes como tarde lo pago.", nov(20)),
    ("I'll pay at reception this week, I'm climbing Monday anyway.", nov(20)),
    # a payment plan's later part, with or without a cue word or a payment word of its own
    ("I'll pay $600 on the 25th and the remaining $1,306.50 on the 30th.", nov(30)),
    ("Je vais régler la moitié à la fin du mois et le reste début du mois prochain.", dec(5)),
    ("Die erste Rate überweisen wir am 1. Dezember, die zweite am 15. Dezember.", dec(15)),
    # a day ahead, not the date of a document
    ("The cheque came back; a replacement will be issued on the 20th.", nov(20)),
    ("Staat ingepland voor de betaalrun van de 27e.", nov(27)),
    # the end of a named day; a spaced dash ends the clause; a short weekday alone
    ("We will have the ACH out to you by close of business Thursday.", nov(19)),
    ("The balance will be paid next week - our new card hasn't arrived yet.", nov(27)),
    ("paying this one fri when the draw comes thru", nov(20)),
    # a single-digit slash date after a word that asks for a day; a recurring weekday; "the rest"
    # of something else; a "don't" that rules out no day
    ("I've scheduled it in our bank for 12/3 - the first date the new signer can approve.", dec(3)),
    ("Our payment run is every second Friday; you're in the next one, on the 27th.", nov(27)),
    ("It's signed - finance releases it on the 27th with the rest of this month's suppliers.", nov(27)),
    ("payday is friday ill send it then dont cut me off", nov(20)),
    # the other half of a plan; a day told beside a commitment of its own; the month's end in words
    ("Pagamos la mitad el día 20 y la otra mitad a fin de mes.", nov(30)),
    ("Money is short this month because a customer pays late, but I'll clear it early next month.", dec(5)),
    ("I'll have it paid before the month is out.", nov(30)),
    # an abbreviation; a day back that is also the day of the payment
    ("sorry, card got replaced - will pay tmrw first thing", nov(19)),
    ("our bookkeeper is away, she'll get yours out next week when she's back", nov(27)),
    # a person out, told plainly, is no day of paying; a day and month with a dash after "op"
    ("office gal is out this week with her back. she'll get yours out next week", nov(27)),
    ("Wij stellen voor om € 2.900,00 op 1-12 over te maken en het restant op 15-12.", dec(15)),
    # "N days tops"; tonight; a plan's days in a list after one "on"; "EOW"
    ("Bear with me, ten days tops.", nov(28)),
    ("Doing it tonight.", nov(18)),
    ("Three payments of $700 on Nov 20, Dec 4 and Dec 18.", dec(18)),
    ("We'll pay EOW.", nov(20)),
    # the next day of a recurring run; a day told of a card updated, and the charge put through later
    ("Our FD signs cheques on Mondays, so it'll be in the next batch.", nov(23)),
    ("I updated the card tonight but it won't let me retry. I'll put it through first thing Friday.",
     nov(20)),
])
def test_the_day_of_the_payment_among_other_days(text: str, expected: date) -> None:
    assert promised(text) == expected


@pytest.mark.parametrize("text, expected", [
    # a Dutch day of the month told alone; the month that day falls in; a tax return
    ("Ik krijg de 25e mijn salaris, dan maak ik het meteen over.", nov(25)),
    ("It'll be the 28th - that's when our pay run goes out this month.", nov(28)),
    ("on my list for tomorrow along with the VAT return, cheers", nov(19)),
    # a day the invoice reached us, a business day of a close, money tight this month: no day of paying
    ("The invoice only reached us on the 20th. It will go in our December run on the 14th.", dec(14)),
    ("We close the month on the 3rd business day; you'll have it by 12/10.", dec(10)),
    ("I get paid Friday and I'll pay it then. Money's tight this month, sorry.", nov(20)),
    # what is left is a plan's later part; "it'll go then" after someone's return
    ("I can do $60 on the 20th, then whatever's left on the 30th if that works?", nov(30)),
    ("Gary has to countersign and he's back next week, it'll go then.", nov(27)),
    # the day the books close is not the day of paying
    ("Early next month. Our quarter closes on the 30th and payments restart after that.", dec(5)),
    # "leave it with me" is no leave of absence; an Australian afternoon
    ("Leave it with me till the 20th, mate.", nov(20)),
    ("Sorry, this one slipped. I'll sort it this arvo once the banking's open.", nov(18)),
    # a day of next month; a count of weeks from today in words
    ("Cette facture partira avec nos paiements fournisseurs du 10 du mois prochain.", dec(10)),
    ("You'll have the full amount two weeks from today.", dec(2)),
])
def test_days_told_beside_the_day_of_paying(text: str, expected: date) -> None:
    assert promised(text) == expected
