"""Invoice PDFs, e-invoice XML and invoice emails for tests, built on the fly.

Each layout is a different way real invoicing tools lay out the same facts, so a reader that
only works for one of them is caught. Every generator takes the facts as values (numbers,
``Decimal`` amounts, ``date`` s) and formats them the way that layout would, so a test can
make as many distinct invoices as it needs and still know exactly what is written in them.

:func:`invoice_email` wraps any of them into the email a company would have sent, ready to
be read directly or APPENDed to an IMAP Sent folder (``msg.as_bytes()``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from email.message import EmailMessage
from email.utils import format_datetime
from xml.sax.saxutils import escape

import facturx
from fpdf import FPDF

__all__ = [
    "brochure_pdf",
    "cii_xml",
    "english_invoice",
    "facturx_invoice",
    "german_invoice",
    "invoice_email",
    "plain_pdf",
    "scanned_invoice",
    "swiss_invoice",
    "ubl_xml",
    "us_invoice",
]

CENT = Decimal("0.01")


def _doc() -> FPDF:
    pdf = FPDF(format="A4")
    # Windows-1252 rather than Latin-1, so the core fonts can write the euro sign.
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    return pdf


def _line(pdf: FPDF, text: str, *, size: float = 10, style: str = "", h: float = 6) -> None:
    pdf.set_font("helvetica", style, size)
    pdf.cell(0, h, text, new_x="LMARGIN", new_y="NEXT")


def _row(pdf: FPDF, cells: Sequence[tuple[float, str, str]], *, style: str = "") -> None:
    """One table row: (width, text, align) per cell, drawn with borders."""
    pdf.set_font("helvetica", style, 10)
    for width, text, align in cells:
        pdf.cell(width, 7, text, border=1, align=align)
    pdf.ln(7)


def _english_money(amount: Decimal) -> str:
    return f"{amount.quantize(CENT):,.2f}"


def _german_money(amount: Decimal) -> str:
    return _english_money(amount).translate(str.maketrans(",.", ".,"))


def _swiss_money(amount: Decimal) -> str:
    return _english_money(amount).replace(",", "'")


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _long_date(day: date) -> str:
    """ "14 March 2026", whatever the locale the tests run in."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _split_vat(total: Decimal, rate: Decimal) -> tuple[Decimal, Decimal]:
    """(net, tax) adding up to ``total`` exactly."""
    net = (total / (1 + rate / 100)).quantize(CENT, rounding=ROUND_HALF_UP)
    return net, total - net


# --------------------------------------------------------------------------- layouts


def english_invoice(number: str = "INV-2026-0042", *, amount: Decimal = Decimal("1250.00"),
                    issued: date = date(2026, 3, 14), due: date = date(2026, 4, 13),
                    client: str = "Client Name Ltd") -> bytes:
    """(a) A British invoice: "label: value" lines, ISO dates, pounds, an explicit due date,
    and an item table whose "Amount" column is not the total."""
    net, vat = _split_vat(amount, Decimal(20))
    pdf = _doc()
    _line(pdf, "Example Ltd", size=16, style="B", h=9)
    _line(pdf, "1 High Street, London EC1A 1AA")
    pdf.ln(4)
    _line(pdf, "INVOICE", size=14, style="B", h=8)
    _line(pdf, f"Invoice number: {number}")
    _line(pdf, f"Invoice date: {issued.isoformat()}")
    _line(pdf, f"Due date: {due.isoformat()}")
    _line(pdf, f"Bill to: {client}")
    pdf.ln(4)
    _row(pdf, [(90, "Description", "L"), (20, "Qty", "R"), (35, "Unit price", "R"),
               (35, "Amount", "R")], style="B")
    _row(pdf, [(90, "Consulting, March", "L"), (20, "10", "R"),
               (35, f"£{_english_money(net / 10)}", "R"), (35, f"£{_english_money(net)}", "R")])
    pdf.ln(4)
    _line(pdf, f"Subtotal: £{_english_money(net)}")
    _line(pdf, f"VAT (20%): £{_english_money(vat)}")
    _line(pdf, f"Total due £{_english_money(amount)}", style="B")
    pdf.ln(4)
    _line(pdf, "Please pay by bank transfer to sort code 12-34-56, account 12345678.", size=8)
    return bytes(pdf.output())


def german_invoice(number: str = "RE-2026/114", *, amount: Decimal = Decimal("1234.56"),
                   issued: date = date(2026, 3, 14), terms_days: int = 14,
                   client: str = "Kunde GmbH") -> bytes:
    """(b) A German invoice: the facts in a table under their column names, in an order of
    the tool's choosing, amounts like 1.234,56 €, and no due date but payment terms."""
    net, vat = _split_vat(amount, Decimal(19))
    pdf = _doc()
    _line(pdf, "Beispiel GmbH · Hauptstraße 1 · 10115 Berlin", size=8)
    pdf.ln(2)
    _line(pdf, client)
    _line(pdf, "Buchhaltung")
    _line(pdf, "Marktplatz 5, 80331 München")
    pdf.ln(6)
    _line(pdf, "Rechnung", size=16, style="B", h=9)
    _row(pdf, [(38, "Rechnungsdatum", "L"), (38, "Kundennummer", "L"),
               (45, "Rechnungsnummer", "L"), (45, "Rechnungsbetrag", "R")], style="B")
    _row(pdf, [(38, issued.strftime("%d.%m.%Y"), "L"), (38, "K-1001", "L"),
               (45, number, "L"), (45, f"{_german_money(amount)} €", "R")])
    pdf.ln(4)
    _line(pdf, "Leistungszeitraum: 01.02.2026 bis 28.02.2026")
    pdf.ln(2)
    _row(pdf, [(12, "Pos.", "L"), (78, "Beschreibung", "L"), (20, "Menge", "R"),
               (30, "Einzelpreis", "R"), (30, "Gesamt", "R")], style="B")
    _row(pdf, [(12, "1", "L"), (78, "Beratung", "L"), (20, "8", "R"),
               (30, f"{_german_money(net / 8)} €", "R"), (30, f"{_german_money(net)} €", "R")])
    pdf.ln(4)
    _line(pdf, f"Nettobetrag {_german_money(net)} €")
    _line(pdf, f"zzgl. 19 % USt. {_german_money(vat)} €")
    pdf.ln(4)
    _line(pdf, f"Zahlbar innerhalb von {terms_days} Tagen ohne Abzug.")
    _line(pdf, "IBAN DE89 3704 0044 0532 0130 00 · USt-IdNr. DE123456789", size=8)
    return bytes(pdf.output())


def us_invoice(*, amount: Decimal = Decimal("2100.00"), issued: date = date(2026, 3, 14),
               terms_days: int = 30, client: str = "Client Name Inc.") -> bytes:
    """(c) A US invoice: month/day/year dates, dollars, "Terms: Net 30", and no invoice
    number anywhere in the PDF (the tool puts it only in the file name)."""
    pdf = _doc()
    _line(pdf, "Example Inc.", size=16, style="B", h=9)
    _line(pdf, "100 Main Street, Springfield, IL 62701")
    pdf.ln(4)
    _line(pdf, "INVOICE", size=14, style="B", h=8)
    _line(pdf, f"Bill To: {client}")
    _line(pdf, f"Date: {issued.strftime('%m/%d/%Y')}")
    _line(pdf, f"Terms: Net {terms_days}")
    pdf.ln(4)
    hours = 21
    _row(pdf, [(90, "Description", "L"), (20, "Hours", "R"), (35, "Rate", "R"),
               (35, "Amount", "R")], style="B")
    _row(pdf, [(90, "Web development", "L"), (20, str(hours), "R"),
               (35, f"${_english_money(amount / hours)}", "R"),
               (35, f"${_english_money(amount)}", "R")])
    pdf.ln(4)
    _line(pdf, f"Balance Due ${_english_money(amount)}", style="B")
    _line(pdf, "Thank you for your business!", size=8)
    return bytes(pdf.output())


def swiss_invoice(number: str = "2026-118", *, amount: Decimal = Decimal("5600.00"),
                  issued: date = date(2026, 3, 14), due: date = date(2026, 4, 13),
                  client: str = "Kunde AG") -> bytes:
    """(d) A Swiss invoice in two columns: addresses on the left, the invoice facts on the
    right, written-out dates, and the totals far right as "CHF 5'600.00"."""
    net, vat = _split_vat(amount, Decimal("8.1"))
    pdf = _doc()
    left, right, top = 15.0, 120.0, 20.0

    def at(x: float, y: float, text: str, *, style: str = "", align: str = "L",
           w: float = 75) -> None:
        pdf.set_font("helvetica", style, 10)
        pdf.set_xy(x, y)
        pdf.cell(w, 6, text, align=align)

    address = ["Example AG", "Bahnhofstrasse 1", "8001 Zürich", "", client, "Seestrasse 9",
               "6003 Luzern"]
    facts = [("Invoice no.", number), ("Date", _long_date(issued)),
             ("Payment due", _long_date(due)), ("VAT no.", "CHE-123.456.789 MWST")]
    # row by row, as a layout engine fills a two-column grid: a text reader meets the left
    # and the right column on the same line
    for i, text in enumerate(address):
        at(left, top + 6 * i, text, style="B" if i in (0, 4) else "")
        if i < len(facts):
            at(right, top + 6 * i, facts[i][0], w=30)
            at(right + 30, top + 6 * i, facts[i][1], w=45, align="R")
    pdf.set_xy(left, top + 54)
    _row(pdf, [(100, "Description", "L"), (30, "Qty", "R"), (50, "Amount", "R")], style="B")
    _row(pdf, [(100, "Software licence 2026", "L"), (30, "1", "R"),
               (50, f"CHF {_swiss_money(net)}", "R")])
    y = pdf.get_y() + 6
    for i, (label, value) in enumerate([("Subtotal", net), ("VAT 8.1%", vat),
                                        ("Total", amount)]):
        at(right, y + 6 * i, label, style="B" if label == "Total" else "", w=30)
        at(right + 30, y + 6 * i, f"CHF {_swiss_money(value)}",
           style="B" if label == "Total" else "", w=45, align="R")
    return bytes(pdf.output())


def plain_pdf(*lines: str, password: str | None = None) -> bytes:
    """A PDF of the given lines, one under the other; with ``password``, encrypted so that
    it cannot be opened without it."""
    pdf = _doc()
    if password is not None:
        pdf.set_encryption(owner_password=password + "-owner", user_password=password)
    for text in lines:
        _line(pdf, text)
    return bytes(pdf.output())


def scanned_invoice() -> bytes:
    """A PDF of shapes only: what a scanned paper invoice looks like to a text reader."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_fill_color(40, 40, 40)
    for i in range(12):
        pdf.rect(20, 20 + 12 * i, 60 + (i * 37) % 100, 4, style="F")
    return bytes(pdf.output())


def brochure_pdf() -> bytes:
    """A product brochure: prices and totals, but no invoice."""
    pdf = _doc()
    _line(pdf, "Spring Collection 2026", size=18, style="B", h=10)
    _line(pdf, "Discover 40 new products, from 2026-03-01 in our shops.")
    _line(pdf, "Garden chair ........ £49.00")
    _line(pdf, "Garden table ........ £199.00")
    _line(pdf, "Total savings up to £120.00 when you order before 31 March 2026.")
    return bytes(pdf.output())


# --------------------------------------------------------------------------- e-invoices

_CII_NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}


def cii_xml(number: str = "FX-2026-7", *, amount: Decimal = Decimal("1190.00"),
            currency: str = "EUR", issued: date = date(2026, 3, 14),
            due: date | None = date(2026, 4, 13), buyer: str = "Käufer GmbH") -> bytes:
    """A small Factur-X / ZUGFeRD CrossIndustryInvoice with 19 % VAT, in the BASIC WL
    profile (no invoice lines), valid against its XML schema."""
    net, vat = _split_vat(amount, Decimal(19))
    number, buyer = escape(number), escape(buyer)
    due_xml = (f"<ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime>"
               f'<udt:DateTimeString format="102">{due:%Y%m%d}</udt:DateTimeString>'
               f"</ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>") if due else ""
    ns = " ".join(f'xmlns:{k}="{v}"' for k, v in _CII_NS.items())
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice {ns}>
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter>
      <ram:ID>urn:factur-x.eu:1p0:basicwl</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>{number}</ram:ID>
    <ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">{issued:%Y%m%d}</udt:DateTimeString>
    </ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty><ram:Name>Verkäufer GmbH</ram:Name></ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>{buyer}</ram:Name></ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>{currency}</ram:InvoiceCurrencyCode>
      <ram:ApplicableTradeTax>
        <ram:CalculatedAmount>{vat}</ram:CalculatedAmount>
        <ram:TypeCode>VAT</ram:TypeCode>
        <ram:BasisAmount>{net}</ram:BasisAmount>
        <ram:CategoryCode>S</ram:CategoryCode>
        <ram:RateApplicablePercent>19.00</ram:RateApplicablePercent>
      </ram:ApplicableTradeTax>
      {due_xml}
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>{net}</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>{net}</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="{currency}">{vat}</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>{amount}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>{amount}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
""".encode()


def facturx_invoice(pdf: bytes | None = None, xml: bytes | None = None) -> bytes:
    """``pdf`` (a scanned-looking one by default) with ``xml`` embedded as factur-x.xml."""
    return bytes(facturx.generate_from_binary(
        pdf if pdf is not None else scanned_invoice(), xml if xml is not None else cii_xml(),
        check_xsd=False, pdf_metadata={"author": "Example", "keywords": "Factur-X",
                                       "title": "Invoice", "subject": "Invoice"}))


def ubl_xml(number: str = "XR-2026-55", *, amount: Decimal = Decimal("476.00"),
            currency: str = "EUR", issued: date = date(2026, 3, 14),
            due: date | None = date(2026, 4, 13), buyer: str = "Behörde Musterstadt",
            credit_note: bool = False) -> bytes:
    """A small UBL 2.1 invoice as XRechnung sends it (the buyer by its legal name only)."""
    net, vat = _split_vat(amount, Decimal(19))
    number, buyer = escape(number), escape(buyer)
    root = "CreditNote" if credit_note else "Invoice"
    due_xml = f"<cbc:DueDate>{due.isoformat()}</cbc:DueDate>" if due else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ubl:{root} xmlns:ubl="urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0</cbc:CustomizationID>
  <cbc:ID>{number}</cbc:ID>
  <cbc:IssueDate>{issued.isoformat()}</cbc:IssueDate>
  {due_xml}
  <cbc:DocumentCurrencyCode>{currency}</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyName><cbc:Name>Example GmbH</cbc:Name></cac:PartyName>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PartyIdentification><cbc:ID>991-12345-67</cbc:ID></cac:PartyIdentification>
    <cac:PartyLegalEntity><cbc:RegistrationName>{buyer}</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:PaymentTerms><cbc:Note>Zahlbar innerhalb von 30 Tagen</cbc:Note></cac:PaymentTerms>
  <cac:TaxTotal><cbc:TaxAmount currencyID="{currency}">{vat}</cbc:TaxAmount></cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="{currency}">{net}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="{currency}">{net}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="{currency}">{amount}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="{currency}">{amount}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
</ubl:{root}>
""".encode()


# --------------------------------------------------------------------------- emails


def invoice_email(pdf: bytes | None, *, subject: str = "Invoice INV-2026-0042 from Example Ltd",
                  filename: str = "invoice.pdf", sender: str = "Example Ltd <billing@example.com>",
                  to: str = "Client Name <ap@client.test>", cc: str | None = None,
                  message_id: str = "<inv-2026-0042@billing.example.com>",
                  sent: datetime = datetime(2026, 3, 14, 9, 30, tzinfo=UTC),
                  body: str = "Hello,\n\nplease find our invoice attached.\n\nKind regards\n",
                  body_subtype: str = "plain", xml: bytes | None = None,
                  xml_name: str = "invoice.xml") -> EmailMessage:
    """The email that sent an invoice: a body (``body_subtype`` "plain" or "html"), then
    ``pdf`` and/or ``xml`` attached."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Date"] = format_datetime(sent)
    msg["Message-ID"] = message_id
    msg.set_content(body, subtype=body_subtype)
    if pdf is not None:
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    if xml is not None:
        msg.add_attachment(xml, maintype="application", subtype="xml", filename=xml_name)
    return msg
