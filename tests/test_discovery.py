"""Tests for bot.discovery: which sent emails are invoices, and what they say.

The PDFs are made in the tests (tests/support/invoices.py), in four layouts that put the same
facts in different places, plus the cases that must not be guessed at."""

from __future__ import annotations

import email
import email.policy
import time
from datetime import date, timedelta
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

import pytest

from bot.discovery import Found, SenderPattern, read_invoice_email
from tests.support.invoices import (
    brochure_pdf,
    cii_xml,
    english_invoice,
    facturx_invoice,
    german_invoice,
    invoice_email,
    plain_pdf,
    scanned_invoice,
    swiss_invoice,
    ubl_xml,
    us_invoice,
)


def discover(msg: EmailMessage, **options: Any) -> Found | None:
    """What discovery makes of ``msg`` once it has been through a mail server: the bytes, as
    the Sent folder gives them back, parsed the way the caller parses them."""
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return read_invoice_email(parsed, **options)


def read(msg: EmailMessage, **options: Any) -> Found:
    found = discover(msg, **options)
    assert found is not None
    return found


def facts(found: Found) -> dict[str, Any]:
    """The fields a reminder is built from."""
    return {"number": found.number, "amount": found.amount, "currency": found.currency,
            "issue_date": found.issue_date, "due_date": found.due_date,
            "terms_days": found.terms_days}


def simple(*lines: str, subject: str = "Your invoice", **options: Any) -> Found:
    return read(invoice_email(plain_pdf(*lines), subject=subject), **options)


# --------------------------------------------------------------------------- four layouts


def test_an_english_invoice_is_read_from_its_label_and_value_lines() -> None:
    pdf = english_invoice("INV-2026-0042", amount=Decimal("1250.00"))
    found = read(invoice_email(pdf, subject="Invoice INV-2026-0042 from Example Ltd"))
    # the total due: not the item table's "Amount" column, the subtotal or the VAT
    assert facts(found) == {
        "number": "INV-2026-0042", "amount": Decimal("1250.00"), "currency": "GBP",
        "issue_date": date(2026, 3, 14), "due_date": date(2026, 4, 13), "terms_days": None}
    assert found.missing == []
    assert (found.source, found.evidence["amount"]) == ("pdf-text", "pdf")
    assert found.pdf == pdf
    assert found.pdf_name == "invoice.pdf"


def test_a_german_invoice_with_payment_terms_gets_its_due_date_from_the_terms() -> None:
    pdf = german_invoice("RE-2026/114", amount=Decimal("1234.56"), issued=date(2026, 3, 14),
                         terms_days=14)
    found = read(invoice_email(pdf, subject="Ihre Rechnung", filename="Rechnung.pdf"))
    assert facts(found) == {
        "number": "RE-2026/114", "amount": Decimal("1234.56"), "currency": "EUR",
        "issue_date": date(2026, 3, 14), "due_date": date(2026, 3, 28), "terms_days": 14}
    assert found.evidence["due_date"] == "issue date + 14 days (pdf terms)"


def test_a_us_invoice_takes_its_number_from_the_file_name_and_its_due_date_from_net_30() -> None:
    pdf = us_invoice(amount=Decimal("2100.00"), issued=date(2026, 3, 14), terms_days=30)
    found = read(invoice_email(pdf, subject="Your invoice from Example",
                               filename="invoice_10234.pdf"))
    assert facts(found) == {
        "number": "10234", "amount": Decimal("2100.00"), "currency": "USD",
        "issue_date": date(2026, 3, 14), "due_date": date(2026, 4, 13), "terms_days": 30}
    assert found.evidence["number"] == "file name"


def test_a_two_column_swiss_invoice_is_read_with_its_totals_on_the_far_right() -> None:
    pdf = swiss_invoice("2026-118", amount=Decimal("5600.00"), issued=date(2026, 3, 14),
                        due=date(2026, 4, 13))
    found = read(invoice_email(pdf, subject="Invoice 2026-118", filename="2026-118.pdf"))
    assert facts(found) == {
        "number": "2026-118", "amount": Decimal("5600.00"), "currency": "CHF",
        "issue_date": date(2026, 3, 14), "due_date": date(2026, 4, 13), "terms_days": None}


# --------------------------------------------------------------------------- e-invoices


def test_a_factur_x_invoice_is_read_exactly_from_its_embedded_xml() -> None:
    xml = cii_xml("FX-2026-7", amount=Decimal("1190.00"), currency="EUR",
                  issued=date(2026, 3, 14), due=date(2026, 4, 13), buyer="Käufer GmbH")
    found = read(invoice_email(facturx_invoice(scanned_invoice(), xml),
                               subject="Rechnung FX-2026-7"))
    assert facts(found) == {
        "number": "FX-2026-7", "amount": Decimal("1190.00"), "currency": "EUR",
        "issue_date": date(2026, 3, 14), "due_date": date(2026, 4, 13), "terms_days": None}
    assert found.client_name == "Käufer GmbH"
    assert found.source == "factur-x"
    assert found.missing == []


def test_the_embedded_e_invoice_wins_over_what_the_pdf_text_says() -> None:
    pdf = facturx_invoice(english_invoice("INV-1", amount=Decimal("1250.00")),
                          cii_xml("INV-1", amount=Decimal("1190.00"), currency="EUR"))
    found = read(invoice_email(pdf, subject="Invoice INV-1"))
    assert (found.amount, found.currency) == (Decimal("1190.00"), "EUR")
    assert found.evidence["amount"] == "factur-x"


def test_an_xrechnung_ubl_attachment_is_an_invoice_email_without_a_pdf() -> None:
    xml = ubl_xml("XR-2026-55", amount=Decimal("476.00"), issued=date(2026, 3, 14),
                  due=date(2026, 4, 13), buyer="Behörde Musterstadt")
    found = read(invoice_email(None, subject="XRechnung", xml=xml, xml_name="XR-2026-55.xml"))
    assert facts(found) == {
        "number": "XR-2026-55", "amount": Decimal("476.00"), "currency": "EUR",
        "issue_date": date(2026, 3, 14), "due_date": date(2026, 4, 13), "terms_days": 30}
    assert (found.client_name, found.source, found.pdf) == ("Behörde Musterstadt", "ubl", None)


def test_a_ubl_credit_note_is_not_read_as_an_amount_owed() -> None:
    found = read(invoice_email(None, subject="Credit note", xml=ubl_xml(credit_note=True)))
    assert "amount" in found.missing
    assert found.evidence["kind"] == "credit note"


@pytest.mark.parametrize("doctype", [
    # "billion laughs": entities that expand to gigabytes
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    # an external entity that would read a local file into the invoice number
    '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>',
])
def test_an_xml_attachment_with_a_dtd_is_refused_unread(doctype: str) -> None:
    xml = ubl_xml().replace(b"?>\n", f"?>\n{doctype}\n".encode(), 1)
    assert discover(invoice_email(None, subject="Invoice XR-1", xml=xml)) is None


# --------------------------------------------------------------------------- not invoices


def test_a_brochure_pdf_is_not_an_invoice() -> None:
    msg = invoice_email(brochure_pdf(), subject="Our spring collection", filename="spring.pdf")
    assert discover(msg) is None


def test_an_email_without_an_attachment_is_not_an_invoice_even_when_its_subject_names_one() -> None:
    assert discover(invoice_email(None, subject="Invoice INV-2026-0042")) is None


def test_a_forwarded_invoice_is_not_an_invoice_the_company_sent() -> None:
    outer = EmailMessage()
    outer["From"] = "billing@example.com"
    outer["To"] = "accountant@example.org"
    outer["Subject"] = "Fwd: Invoice INV-2026-0042"
    outer.set_content("See below.\n")
    outer.add_attachment(invoice_email(english_invoice()))
    assert discover(outer) is None


# --------------------------------------------------------------------------- nothing guessed


def test_a_scanned_invoice_is_an_invoice_email_with_its_amount_and_due_date_missing() -> None:
    found = read(invoice_email(scanned_invoice(), subject="Invoice INV-77", filename="scan.pdf"))
    assert found.number == "INV-77"
    assert found.missing == ["amount", "currency", "due_date"]
    assert found.evidence["pdf"] == "no text layer (a scanned image?)"


@pytest.mark.parametrize(("subtype", "body"), [
    ("plain", "Hello,\n\nAmount due: €1,250.00\nDue date: 13 April 2026\n\n"
              "> Earlier: Amount due: €9.00\n"),
    ("html", "<html><style>p {color: red}</style><body><p>Hello,</p>"
             "<table><tr><td>Amount due:</td><td>&euro;1,250.00</td></tr>"
             "<tr><td>Due date:</td><td>13 April 2026</td></tr></table>"
             "<script>var total = '9.00';</script></body></html>"),
])
def test_what_the_email_body_says_completes_a_scanned_invoice(subtype: str, body: str) -> None:
    msg = invoice_email(scanned_invoice(), subject="Invoice INV-77", body=body,
                        body_subtype=subtype)
    found = read(msg)
    assert (found.amount, found.currency, found.due_date) == (Decimal("1250.00"), "EUR",
                                                              date(2026, 4, 13))
    assert found.evidence["amount"] == "body"
    assert found.missing == []


def test_an_ambiguous_date_with_nothing_saying_its_order_is_left_missing() -> None:
    found = simple("Invoice No. A-1", "Date: 04/03/2026", "Due date: 05/03/2026",
                   "Total: 100.00", default_currency="EUR")
    assert (found.issue_date, found.due_date) == (None, None)
    assert found.missing == ["due_date"]
    assert "could be day/month or month/day" in found.evidence["due_date"]


@pytest.mark.parametrize(("total", "due"), [
    ("£100.00", date(2026, 3, 5)),     # pounds: day first
    ("$100.00", date(2026, 5, 3)),     # US dollars: month first
])
def test_the_currency_says_how_to_read_a_numeric_date(total: str, due: date) -> None:
    found = simple("Invoice No. A-1", "Date: 2026-02-20", "Due date: 05/03/2026",
                   f"Total: {total}")
    assert found.due_date == due


def test_two_invoices_in_one_email_are_not_chosen_between() -> None:
    msg = invoice_email(english_invoice("INV-1"), subject="Your invoices", filename="INV-1.pdf")
    msg.add_attachment(english_invoice("INV-2"), maintype="application", subtype="pdf",
                       filename="INV-2.pdf")
    found = read(msg)
    assert found.number is None
    assert found.evidence["number"].startswith("several invoice numbers: INV-1")


def test_the_invoice_pdf_is_found_among_other_attachments() -> None:
    msg = invoice_email(plain_pdf("Terms and conditions", "All prices in GBP."),
                        subject="Your invoice", filename="terms.pdf")
    msg.add_attachment(english_invoice("INV-5"), maintype="application", subtype="pdf",
                       filename="INV-5.pdf")
    found = read(msg)
    assert (found.number, found.pdf_name, found.amount) == ("INV-5", "INV-5.pdf",
                                                            Decimal("1250.00"))


GARBAGE = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nthis is not a pdf\n%%EOF"
NESTED = b"%PDF-1.4\n1 0 obj\n" + b"[" * 50_000 + b"\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF"


@pytest.mark.parametrize("pdf", [
    pytest.param(GARBAGE, id="garbage"),
    pytest.param(NESTED, id="deeply-nested"),
    pytest.param(b"", id="empty"),
    pytest.param(english_invoice()[:400], id="truncated"),
    pytest.param(plain_pdf("Invoice No. INV-9", "Total due £10.00", password="secret"),
                 id="password"),
])
def test_a_broken_pdf_does_not_stop_the_email_being_listed_for_review(pdf: bytes) -> None:
    found = read(invoice_email(pdf, subject="Invoice INV-9"))
    assert found.number == "INV-9"
    assert "amount" in found.missing
    assert found.evidence["pdf"].startswith("pdf unreadable")


def test_a_pdf_protected_only_against_changes_is_read() -> None:
    pdf = plain_pdf("Invoice No. INV-9", "Invoice date: 2026-03-14", "Total due £10.00",
                    "Net 30", password="")
    found = read(invoice_email(pdf, subject="Invoice INV-9"))
    assert (found.amount, found.due_date) == (Decimal("10.00"), date(2026, 4, 13))


def test_a_text_layer_built_to_slow_a_reader_down_is_read_in_bounded_time() -> None:
    hostile = ["Total " + "1," * 200, "Invoice date " + "1/" * 200, "Invoice No. " + "A-" * 200,
               "Date " + "14 March " * 40, "Amount due " + "1 " * 200 + "€"] * 40
    start = time.perf_counter()
    found = read(invoice_email(plain_pdf("Invoice No. INV-9", *hostile), subject="Invoice INV-9"))
    assert time.perf_counter() - start < 5     # a regular expression gone exponential hangs
    assert found.number == "INV-9"


# --------------------------------------------------------------------------- the config


def test_a_sender_pattern_rescues_a_layout_the_defaults_miss() -> None:
    pdf = plain_pdf("Acme Handels KG", "Beleg B-4711", "Belegdatum 03/04/2026",
                    "Endsumme 980,00", "Zahlungseingang bis 03/05/2026")
    msg = invoice_email(pdf, subject="Ihr Beleg B-4711", filename="beleg.pdf")
    assert discover(msg, default_currency="EUR") is None
    pattern = SenderPattern(sender="@example.com", number=r"Beleg (B-\d+)",
                            amount=r"Endsumme ([\d.,]+)", issue_date=r"Belegdatum (\S+)",
                            due_date=r"Zahlungseingang bis (\S+)", date_order="MDY")
    found = read(msg, patterns=[pattern], default_currency="EUR")
    assert facts(found) == {
        "number": "B-4711", "amount": Decimal("980.00"), "currency": "EUR",
        "issue_date": date(2026, 3, 4), "due_date": date(2026, 3, 5), "terms_days": None}
    assert found.source == "pattern"
    assert found.evidence["amount"] == "sender pattern for @example.com"
    assert found.evidence["currency"] == "config (no currency written)"
    other = SenderPattern(sender="billing@other.test", number=r"Beleg (B-\d+)")
    assert discover(msg, patterns=[other]) is None


def test_a_sender_pattern_that_finds_no_value_is_not_overruled_by_the_defaults() -> None:
    pattern = SenderPattern(sender="billing@example.com", amount=r"Bill to: (.+)")
    found = read(invoice_email(english_invoice()), patterns=[pattern])
    assert found.amount is None
    assert found.evidence["amount"] == ("sender pattern for billing@example.com matched "
                                        "'Client Name Ltd': not an amount")


def test_default_terms_give_a_due_date_only_when_the_invoice_states_none() -> None:
    lines = ("Invoice No. D-1", "Invoice date: 2026-03-02", "Total: £10.00")
    assert "due_date" in simple(*lines).missing
    found = simple(*lines, default_terms_days=30)
    assert (found.due_date, found.terms_days) == (date(2026, 4, 1), 30)
    assert found.evidence["due_date"] == "issue date + 30 days (config terms)"
    stated = simple(*lines, "Payment within 14 days", default_terms_days=30)
    assert stated.due_date == date(2026, 3, 16)


def test_the_recipients_message_id_and_client_come_from_the_headers() -> None:
    msg = invoice_email(english_invoice(), to='"Client, Name" <ap@client.test>, other@client.test',
                        cc="Boss <boss@client.test>",
                        message_id="<inv-2026-0042@billing.example.com>")
    found = read(msg)
    assert found.to == ("ap@client.test", "other@client.test")
    assert found.cc == ("boss@client.test",)
    assert found.message_id == "<inv-2026-0042@billing.example.com>"
    assert found.client_name == "Client, Name"


def test_a_line_break_encoded_into_a_display_name_does_not_lose_the_address() -> None:
    raw = invoice_email(english_invoice()).as_bytes().replace(
        b"To: Client Name <ap@client.test>", b"To: =?utf-8?q?Client=0ABcc:_x?= <ap@client.test>")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    found = read_invoice_email(msg)
    assert found is not None
    assert (found.to, found.client_name) == (("ap@client.test",), None)


def test_an_invoice_without_recipients_is_incomplete() -> None:
    msg = invoice_email(english_invoice())
    del msg["To"]
    assert read(msg).missing == ["to"]


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize(("written", "amount", "currency"), [
    ("1.234,56 €", "1234.56", "EUR"),
    ("EUR 1,234.56", "1234.56", "EUR"),
    ("€1,234.56", "1234.56", "EUR"),
    ("£1,234.56", "1234.56", "GBP"),
    ("$1,234.56", "1234.56", "USD"),
    ("US$ 1,234.56", "1234.56", "USD"),
    ("1234.56 USD", "1234.56", "USD"),
    ("CHF 1'234.50", "1234.50", "CHF"),
    ("Fr. 1’234.50", "1234.50", "CHF"),
    ("1 234,56 €", "1234.56", "EUR"),
    ("12,000 JPY", "12000", "JPY"),
])
def test_amounts_are_read_in_the_ways_invoices_write_them(written: str, amount: str,
                                                          currency: str) -> None:
    found = simple("Invoice No. T-1", "Invoice date: 2026-03-14", "Net 30",
                   "Subtotal: 1.00", "VAT: 0.19", f"Amount due: {written}")
    assert (found.amount, found.currency) == (Decimal(amount), currency)


@pytest.mark.parametrize(("written", "total", "issued"), [
    ("2026-03-14", "£10.00", date(2026, 3, 14)),
    ("14.03.2026", "10,00 €", date(2026, 3, 14)),
    ("14/03/2026", "£10.00", date(2026, 3, 14)),
    ("03/14/2026", "$10.00", date(2026, 3, 14)),
    ("04/03/2026", "£10.00", date(2026, 3, 4)),
    ("04/03/2026", "$10.00", date(2026, 4, 3)),
    ("14 March 2026", "$10.00", date(2026, 3, 14)),
    ("March 14, 2026", "£10.00", date(2026, 3, 14)),
    ("14. März 2026", "10,00 €", date(2026, 3, 14)),
    ("14 mars 2026", "10,00 €", date(2026, 3, 14)),
    ("14-Mar-2026", "$10.00", date(2026, 3, 14)),
])
def test_dates_are_read_in_the_ways_invoices_write_them(written: str, total: str,
                                                        issued: date) -> None:
    found = simple("Invoice No. T-1", f"Invoice date: {written}", f"Total: {total}")
    assert found.issue_date == issued


def test_german_labels_say_a_numeric_date_is_day_first() -> None:
    found = simple("Rechnung Nr. T-1", "Rechnungsdatum 4/3/2026", "Gesamtbetrag 10,00",
                   default_currency="EUR")
    assert found.issue_date == date(2026, 3, 4)


@pytest.mark.parametrize(("terms", "days"), [
    ("Terms: Net 30", 30),
    ("Net 14 days", 14),
    ("Payment within 30 days", 30),
    ("Due within 21 days of the invoice date", 21),
    ("Zahlbar innerhalb 14 Tagen", 14),
    ("Zahlbar innerhalb von 10 Tagen ohne Abzug", 10),
    ("Zahlungsziel: 30 Tage", 30),
    ("Zahlbar innerhalb 8 Tagen mit 2 % Skonto, 30 Tage netto", 30),
    ("Due on receipt", 0),
])
def test_payment_terms_are_read_in_the_ways_invoices_write_them(terms: str, days: int) -> None:
    found = simple("Invoice No. T-1", "Invoice date: 2026-03-02", "Total: £10.00", terms)
    assert found.terms_days == days
    assert found.due_date == date(2026, 3, 2) + timedelta(days=days)
