"""Copies of invoices: the original PDF with a visible COPY stamp on every page, or a clean
generated copy from the ledger when no original exists. Pure functions over bytes.

The stamp is an overlay page drawn with fpdf2 and merged onto each page with pypdf, so the
original content (and its text layer) stays as it was.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter, Transformation

from bot.core.model import Client, Invoice


class PdfCopyError(Exception):
    """The PDF cannot be read or stamped; the message says why."""


def _draw_stamp(pdf: FPDF, label: str, width: float, height: float, angle: float) -> None:
    """A large, semi-transparent red label across the middle of the page."""
    size = max(24.0, min(width, height) / 5)
    pdf.set_font("helvetica", "B", size)
    pdf.set_text_color(200, 30, 30)
    text_w = pdf.get_string_width(label)
    cx, cy = width / 2, height / 2
    with pdf.local_context(fill_opacity=0.3, text_color=(200, 30, 30)), \
            pdf.rotation(angle, x=cx, y=cy):
        pdf.text(cx - text_w / 2, cy + size / 3, label)


def _overlay(width: float, height: float, rotation: int, label: str) -> bytes:
    pdf = FPDF(unit="pt", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    # A page with /Rotate R is shown turned R degrees clockwise; drawing the label R degrees
    # further counter-clockwise keeps it at the same slant, upright, on screen.
    _draw_stamp(pdf, label, width, height, 45 + rotation)
    return bytes(pdf.output())


def stamp_copy(pdf: bytes, label: str = "COPY") -> bytes:
    """The PDF with ``label`` stamped on every page; page count and sizes unchanged."""
    try:
        reader = PdfReader(io.BytesIO(pdf))
        # decrypt() answers 0 (PasswordType.NOT_DECRYPTED) when the empty password fails
        if reader.is_encrypted and reader.decrypt("") == 0:
            raise PdfCopyError("the PDF is protected by a password")
        writer = PdfWriter(clone_from=reader)
        overlays: dict[tuple[float, float, int], PdfReader] = {}
        for page in writer.pages:
            box = page.mediabox
            w, h = float(box.width), float(box.height)
            rot = int(page.rotation or 0) % 360
            key = (round(w, 2), round(h, 2), rot)
            if key not in overlays:
                overlays[key] = PdfReader(io.BytesIO(_overlay(w, h, rot, label)))
            # the overlay starts at (0, 0); the page's box may not
            page.merge_transformed_page(overlays[key].pages[0],
                                        Transformation().translate(float(box.left),
                                                                   float(box.bottom)))
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except PdfCopyError:
        raise
    except Exception as e:  # pypdf raises many kinds on hostile or broken input
        raise PdfCopyError(f"not a readable PDF ({type(e).__name__}: {e})") from e


# fpdf2's built-in fonts cover Latin-1 only. Letters outside it are spelled the nearest way
# (Ł -> L, ő -> o); currency signs become their code, so an amount never loses its meaning.
_SPELL = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe",
          "€": "EUR", "£": "GBP", "\u202f": " ", "\u2009": " ", "’": "'", "‘": "'", "“": '"',
          "”": '"', "–": "-", "—": "-"}


def latin1(text: str) -> str:
    out = []
    for ch in text:
        if ch in _SPELL:
            out.append(_SPELL[ch])
        elif ord(ch) < 256:
            out.append(ch)
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch)
                           if ord(c) < 256 and not unicodedata.combining(c))
            out.append(base or "?")
    return "".join(out)


# The words on a copy, by language; other languages get English.
_WORDS: dict[str, dict[str, str]] = {
    "en": {"stamp": "COPY", "invoice": "Invoice", "bill_to": "Bill to", "email": "Email",
           "issued": "Invoice date", "due": "Due date", "amount": "Amount",
           "balance": "Balance due",
           "note": "Copy generated from our records; the original invoice prevails."},
    "de": {"stamp": "KOPIE", "invoice": "Rechnung", "bill_to": "Empfänger", "email": "E-Mail",
           "issued": "Rechnungsdatum", "due": "Fällig am", "amount": "Betrag",
           "balance": "Offener Betrag",
           "note": "Aus unseren Unterlagen erstellte Kopie; maßgeblich ist die Originalrechnung."},
}


def words(locale: str) -> dict[str, str]:
    return _WORDS.get(locale.replace("-", "_").split("_")[0].lower(), _WORDS["en"])


def stamp_label(locale: str) -> str:
    """The stamp's word in the client's language ("COPY", "KOPIE")."""
    return words(locale)["stamp"]


def generate_copy(invoice: Invoice, client: Client, *, company_name: str, locale: str) -> bytes:
    """A plain one-page invoice copy built from the ledger, in the client's language and
    formats, stamped like an original."""
    loc = locale.replace("-", "_")
    w = words(locale)

    def money(v: Decimal) -> str:
        return format_currency(v, invoice.currency, locale=loc)

    def day(d: date) -> str:
        return format_date(d, "medium", locale=loc)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 18)
    pdf.cell(0, 12, latin1(company_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "B", 14)
    pdf.cell(0, 10, latin1(f"{w['invoice']} {invoice.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "I", 9)
    pdf.cell(0, 6, latin1(w["note"]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("helvetica", size=11)
    rows = [("bill_to", client.name), ("email", client.email),
            ("issued", day(invoice.issue_date)), ("due", day(invoice.due_date)),
            ("amount", money(invoice.amount)), ("balance", money(invoice.balance))]
    for key, value in rows:
        pdf.cell(45, 8, latin1(w[key]))
        pdf.cell(0, 8, latin1(value), new_x="LMARGIN", new_y="NEXT")
    _draw_stamp(pdf, w["stamp"], pdf.w, pdf.h, 45)
    return bytes(pdf.output())
