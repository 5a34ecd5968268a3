"""Invoice copies: the stamp lands on every page without changing the original, and a copy
generated from the ledger carries the invoice's facts in the client's formats."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from bot.core.model import Client, Invoice
from bot.pdfcopy import PdfCopyError, generate_copy, latin1, stamp_copy


def original(pages: int = 3, fmt: str = "A4") -> bytes:
    doc = FPDF(format=fmt)
    doc.set_font("helvetica", size=12)
    for p in range(pages):
        doc.add_page()
        doc.cell(text=f"Invoice INV-7 page {p + 1}")
    return bytes(doc.output())


def text_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_every_page_is_stamped_and_keeps_its_text_and_size():
    src = original(pages=3)
    out = stamp_copy(src)
    before, after = PdfReader(io.BytesIO(src)), PdfReader(io.BytesIO(out))
    assert len(after.pages) == 3
    for n, (a, b) in enumerate(zip(before.pages, after.pages, strict=True), start=1):
        assert (a.mediabox.width, a.mediabox.height) == (b.mediabox.width, b.mediabox.height)
        text = b.extract_text()
        assert f"Invoice INV-7 page {n}" in text
        assert "COPY" in text


def test_the_label_can_be_translated():
    assert all("KOPIE" in t for t in text_of(stamp_copy(original(1), label="KOPIE")))


def test_pages_of_different_sizes_and_rotations_are_all_stamped():
    writer = PdfWriter()
    for fmt in ("A4", "Letter"):
        writer.append(PdfReader(io.BytesIO(original(1, fmt))))
    writer.pages[1].rotate(90)
    buf = io.BytesIO()
    writer.write(buf)
    out = PdfReader(io.BytesIO(stamp_copy(buf.getvalue())))
    assert [int(p.rotation) for p in out.pages] == [0, 90]
    assert out.pages[0].mediabox.width != out.pages[1].mediabox.width
    assert all("COPY" in p.extract_text() for p in out.pages)


@pytest.mark.parametrize("junk", [b"", b"not a pdf at all", b"%PDF-1.4\n1 0 obj <<\n%%EOF"])
def test_anything_but_a_pdf_is_a_clear_error(junk):
    with pytest.raises(PdfCopyError, match="not a readable PDF"):
        stamp_copy(junk)


def _encrypted(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(original(1))))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_a_pdf_that_needs_a_password_is_refused_with_the_reason():
    with pytest.raises(PdfCopyError, match="password"):
        stamp_copy(_encrypted("secret"))


def test_a_pdf_encrypted_with_an_empty_password_opens_and_is_stamped():
    (text,) = text_of(stamp_copy(_encrypted("")))
    assert "Invoice INV-7" in text and "COPY" in text


def test_a_generated_copy_states_the_invoice_in_the_clients_formats():
    client = Client(id="c1", name="Łódź Müller Zoë GmbH", email="ap@lodz.test", locale="de")
    invoice = Invoice(number="RE-2026-114", client_id="c1", amount=Decimal("1234.50"),
                      balance=Decimal("234.50"), currency="EUR", issue_date=date(2026, 3, 1),
                      due_date=date(2026, 3, 31))
    (text,) = text_of(generate_copy(invoice, client, company_name="Beispiel AG", locale="de"))
    text = " ".join(text.split())  # babel puts no-break spaces before the currency
    assert "Beispiel AG" in text and "Rechnung RE-2026-114" in text
    assert "Lódz Müller Zoë GmbH" in text  # Ł and ź are outside the built-in fonts: spelled
    assert "Betrag 1.234,50 EUR" in text and "Offener Betrag 234,50 EUR" in text
    assert "Fällig am 31.03.2026" in text
    assert "KOPIE" in text


def test_a_generated_copy_falls_back_to_english_words_in_the_clients_formats():
    client = Client(id="c2", name="Dupont SA", email="ap@dupont.test", locale="fr_FR")
    invoice = Invoice(number="F-9", client_id="c2", amount=Decimal("980"), balance=Decimal("980"),
                      currency="EUR", issue_date=date(2026, 3, 1), due_date=date(2026, 3, 31))
    (text,) = text_of(generate_copy(invoice, client, company_name="Example Ltd", locale="fr_FR"))
    text = " ".join(text.split())
    assert "Invoice F-9" in text and "Balance due 980,00 EUR" in text and "COPY" in text


def test_latin1_spelling_keeps_meaning():
    assert latin1("Zoë – £5 ‘ok’ Ő") == "Zoë - GBP5 'ok' O"
