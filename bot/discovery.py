"""Recognising the invoice emails the company sent, and reading their facts.

One parsed email goes in; out comes ``None`` (not an invoice email) or a :class:`Found`
saying what could be read and where each fact came from. Pure: no network, no database, no
clock, no files.

An invoice email has a PDF (or an e-invoice XML) attached *and* an invoice number in the
subject, the attachment's file name, the PDF's text or the e-invoice. Facts are read in
order of trust, each field from the first source that has it:

1. an e-invoice: Factur-X / ZUGFeRD CII XML embedded in the PDF, or a UBL (XRechnung) or
   CII XML attached to the email -- exact values;
2. the sender's own regular expressions from the config (:class:`SenderPattern`);
3. the PDF's text layer, then the subject (invoice number only) and the text body, read by
   labels ("Invoice date", "Rechnungsbetrag", "Total due", ...) in English and German, and
   in French, Spanish and Dutch for the common labels.

Nothing is guessed. A fact that cannot be read for sure -- a date like 04/03/2026 with
nothing saying which is the day, two different invoice numbers, a PDF that cannot be
opened -- is left out and named in ``evidence``; :attr:`Found.missing` then tells the caller
to ask a person.

Dates like 04/03/2026 are read by the sender pattern's ``date_order``; else by what the
document says: another date in it that reads only one way (28/03/2026), labels in a
language that writes the day first, amounts in US dollars (month first) or in another
currency (day first). Dotted dates (14.03.2026) are day first wherever they are written.
"""

from __future__ import annotations

import io
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from email.message import EmailMessage, MIMEPart
from email.utils import getaddresses
from functools import cache
from html.parser import HTMLParser
from typing import NoReturn, TypeVar
from xml.parsers import expat

from babel.dates import get_month_names
from babel.numbers import list_currencies
from pypdf import PdfReader

__all__ = ["Found", "SenderPattern", "read_invoice_email"]


# --------------------------------------------------------------------------- public values


@dataclass(frozen=True, slots=True)
class SenderPattern:
    """Regular expressions for one sender's layout, for fields the built-in labels miss.

    Each is searched in the PDF text, then the subject, then the body; its first group (the
    whole match if it has none) is the value. ``date_order`` says how this sender writes
    dates like 03/04/2026, and is used for all of the sender's numeric dates.
    """

    sender: str               # an address, or "@domain", matched against From
    number: str | None = None
    amount: str | None = None
    due_date: str | None = None
    issue_date: str | None = None
    date_order: str = "DMY"   # "DMY" or "MDY"


@dataclass(frozen=True, slots=True)
class Found:
    """What was read from one invoice email."""

    number: str | None
    amount: Decimal | None      # the total due (gross), not the net
    currency: str | None        # ISO 4217, upper-case
    issue_date: date | None
    due_date: date | None       # explicit, or issue date + payment terms
    terms_days: int | None
    client_name: str | None     # the buyer from an e-invoice, else the first To's display name
    to: tuple[str, ...]         # addr-specs from To
    cc: tuple[str, ...]         # addr-specs from Cc
    message_id: str | None      # with <>
    pdf: bytes | None           # the original invoice PDF
    pdf_name: str | None
    source: str                 # "factur-x", "ubl", "pattern" or "pdf-text"
    evidence: dict[str, str]    # field -> where it came from, or why it is missing

    @property
    def missing(self) -> list[str]:
        """The fields a reminder cannot do without that could not be read."""
        have = {"number": self.number is not None, "amount": self.amount is not None,
                "currency": self.currency is not None, "due_date": self.due_date is not None,
                "to": bool(self.to)}
        return [name for name, ok in have.items() if not ok]


# --------------------------------------------------------------------------- limits

_MAX_PDF = 25 * 1024 * 1024          # bigger PDFs are not opened
_MAX_PDFS = 5                        # PDFs read per email
_MAX_PAGES = 8                       # an invoice's facts are on its first pages
_MAX_TEXT = 50_000                   # characters of text read per PDF or body
_MAX_LINE = 400                      # an invoice's lines are short; the rest of one is not read
_MAX_XML = 5 * 1024 * 1024
_MAX_NUMBER = 40                     # characters in an invoice number
_MAX_DEPTH = 8                       # MIME nesting


# --------------------------------------------------------------------------- small values

_SPACES = str.maketrans({ch: " " for ch in "\t\u00a0\u2007\u2009\u200a\u202f\u3000"})


def _normal(text: str) -> str:
    """Text as the readers expect it: NFC, plain spaces, trimmed lines, no blank lines."""
    text = unicodedata.normalize("NFC", text).translate(_SPACES)
    text = re.sub(r"\.{4,}|…{2,}", " ", text)     # dot leaders: "Total ........ £49.00"
    lines = (re.sub(r" {2,}", " ", line).strip()[:_MAX_LINE] for line in text.splitlines())
    return "\n".join(line for line in lines if line)[:_MAX_TEXT]


def _clean(text: str, limit: int) -> str | None:
    """A value that leaves this module: no line breaks or control characters (they could
    end up in an email header), single spaces, at most ``limit`` characters."""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch
                   for ch in text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:limit].strip() or None


@cache
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def _make_date(year: int, month: int, day: int) -> date | None:
    if not 1990 <= year <= 2099:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --------------------------------------------------------------------------- amounts

_DOLLARS = frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"})
_SYMBOLS = {"€": "EUR", "£": "GBP", "US$": "USD", "CA$": "CAD", "C$": "CAD", "AU$": "AUD",
            "A$": "AUD", "NZ$": "NZD", "HK$": "HKD", "S$": "SGD", "R$": "BRL", "¥": "JPY",
            "₹": "INR", "zł": "PLN", "Kč": "CZK", "SFr.": "CHF", "SFr": "CHF", "Fr.": "CHF"}
_SYMBOL = "|".join(re.escape(s) for s in sorted(_SYMBOLS, key=len, reverse=True))
# a currency written before the amount ("CHF 5'600.00", "$2,100.00") or after ("12,00 €")
_CUR = rf"(?:{_SYMBOL}|\$|(?-i:[A-Z]{{3}})(?![A-Za-z]))"
_NUM = (r"\d{1,3}(?:[,.'’]\d{3})+(?:[.,]\d{1,2})?(?![\d'’]|[.,]\d)"
        r"|\d+(?:[.,]\d{1,2})?(?![\d'’]|[.,]\d)")
# French and Swiss-French write 1 234,56 €: a space groups only when a currency follows
_SPACED = r"\d{1,3}(?: \d{3})+(?:[.,]\d{1,2})?(?= ?" + _CUR + ")"
_AMOUNT = (rf"(?<![\w.,'’])(?:(?P<pre>{_CUR}) ?)?(?P<num>{_SPACED}|{_NUM})"
           rf"(?: ?(?P<post>{_CUR}))?(?! ?%)")
_AMOUNT_RE = re.compile(_AMOUNT, re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Money:
    value: Decimal
    currency: str | None
    marked: bool     # a currency, decimals or grouping: clearly money, not a quantity


def _currency_of(marker: str | None, default: str | None) -> str | None:
    if not marker:
        return None
    if marker == "$":
        # "$" alone is the US dollar, unless the company bills in another dollar
        return default if default in _DOLLARS else "USD"
    if marker in _SYMBOLS:
        return _SYMBOLS[marker]
    code = marker.upper()
    return code if code in _currencies() else None


def _number(text: str) -> Decimal | None:
    """ "1.234,56" / "1,234.56" / "5'600.00" / "1 234,56" / "1250" -> Decimal."""
    digits = text.replace("'", "").replace("’", "").replace(" ", "")
    dots, commas = digits.count("."), digits.count(",")
    mark: str | None = None
    if dots and commas:
        mark = "." if digits.rfind(".") > digits.rfind(",") else ","
    elif dots + commas == 1:
        sep = "." if dots else ","
        # one separator before exactly three digits groups thousands ("1,250"); amounts
        # with three decimals are rare enough on invoices to be read that way too
        mark = None if len(digits.split(sep)[1]) == 3 else sep
    if mark:
        whole, _, frac = digits.rpartition(mark)
    else:
        whole, frac = digits, ""
    whole = whole.replace(".", "").replace(",", "")
    try:
        return Decimal(f"{whole}.{frac}" if frac else whole)
    except InvalidOperation:
        return None


def _money(m: re.Match[str], default_currency: str | None) -> _Money | None:
    """An amount match as money; three capitals around it that are no currency ("QTY 10")
    are not part of it."""
    num = m.group("num")
    currencies = {c for c in (_currency_of(m.group("pre"), default_currency),
                              _currency_of(m.group("post"), default_currency)) if c}
    if len(currencies) > 1:
        return None      # "EUR 12 USD"
    value = _number(num)
    if value is None:
        return None
    marked = bool(currencies) or bool(re.search(r"[.,'’ ]", num))
    return _Money(value, currencies.pop() if currencies else None, marked)


def _first_money(text: str, default_currency: str | None) -> _Money | None:
    for m in _AMOUNT_RE.finditer(text):
        money = _money(m, default_currency)
        if money is not None and money.marked:
            return money
    return None


def _currencies_in(text: str, default_currency: str | None) -> set[str]:
    found = set()
    for m in _AMOUNT_RE.finditer(text):
        money = _money(m, default_currency)
        if money is not None and money.currency:
            found.add(money.currency)
    return found


# --------------------------------------------------------------------------- dates

DMY, MDY = "DMY", "MDY"

# Month names as invoices write them, from the CLDR data babel ships. A name two languages
# use for different months would be a guess, and is left out.
_EXTRA_MONTHS = {"sept": 9, "mrz": 3, "maerz": 3, "marz": 3, "jänner": 1}


@cache
def _month_names() -> dict[str, int]:
    names: dict[str, int] = {}
    clash: set[str] = set()
    for locale in ("en", "de", "fr", "es", "nl", "it"):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    key = str(name).casefold().rstrip(".")
                    if names.setdefault(key, int(number)) != int(number):
                        clash.add(key)
    for key, number in _EXTRA_MONTHS.items():
        names.setdefault(key, number)
    return {k: v for k, v in names.items() if k not in clash and len(k) >= 3}


@cache
def _date_re() -> re.Pattern[str]:
    months = "|".join(re.escape(n) for n in sorted(_month_names(), key=len, reverse=True))
    return re.compile(
        r"(?<![\w./-])(?:"
        r"(?P<iy>\d{4})(?P<isep>[-/.])(?P<im>\d{1,2})(?P=isep)(?P<iday>\d{1,2})(?![\d.]\d)"
        r"|(?P<na>\d{1,2})(?P<ns>[-/.])(?P<nb>\d{1,2})(?P=ns)(?P<ny>\d{4}|\d{2})(?![\d.]\d)"
        rf"|(?P<dd>\d{{1,2}})(?:st|nd|rd|th|er|º)?\.? ?-?(?:de )?(?P<dm>{months})\.?,? ?-?"
        r"(?:de )?(?P<dy>\d{4})"
        rf"|(?P<mm>{months})\.? (?P<md>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<my>\d{{4}})"
        r")(?!\d)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _DateText:
    """A date as written; ``numeric`` holds (first, second, year) of an a/b/yyyy date whose
    reading depends on the day/month order."""

    text: str
    fixed: date | None
    numeric: tuple[int, int, int] | None


def _date_text(m: re.Match[str]) -> _DateText | None:
    text = m.group(0)
    if m.group("iy"):
        d = _make_date(int(m.group("iy")), int(m.group("im")), int(m.group("iday")))
        return _DateText(text, d, None) if d else None
    if m.group("na"):
        a, b, y = int(m.group("na")), int(m.group("nb")), m.group("ny")
        if len(y) == 2 and m.group("ns") != ".":
            return None     # 12-34-56 is a sort code, 01/02/03 anything
        year = 2000 + int(y) if len(y) == 2 else int(y)
        if m.group("ns") == ".":
            # dotted dates are day-first wherever they are written (DIN 5008 and others)
            d = _make_date(year, b, a)
            return _DateText(text, d, None) if d else None
        return _DateText(text, None, (a, b, year))
    names = _month_names()
    if m.group("dd"):
        month = names.get(m.group("dm").casefold().rstrip("."))
        d = _make_date(int(m.group("dy")), month, int(m.group("dd"))) if month else None
    else:
        month = names.get(m.group("mm").casefold().rstrip("."))
        d = _make_date(int(m.group("my")), month, int(m.group("md"))) if month else None
    return _DateText(text, d, None) if d else None


def _resolve(d: _DateText, order: str | None) -> date | None:
    """The date, reading a/b/yyyy by ``order``; None when ambiguous without an order."""
    if d.numeric is None:
        return d.fixed
    a, b, year = d.numeric
    day_first, month_first = _make_date(year, b, a), _make_date(year, a, b)
    if day_first and month_first and day_first != month_first:
        if order is None:
            return None
        return day_first if order == DMY else month_first
    return day_first or month_first


def _first_date(text: str) -> _DateText | None:
    for m in _date_re().finditer(text):
        d = _date_text(m)
        if d is not None:
            return d
    return None


# --------------------------------------------------------------------------- labels


@dataclass(frozen=True, slots=True)
class _Label:
    kind: str       # number, issue, due, amount, currency; "x-..." labels hold other values
    rank: int       # 1 = the most specific label of its kind
    lang: str
    pattern: str

    @property
    def type(self) -> str:
        kind = self.kind.removeprefix("x-")
        return {"number": "id", "id": "id", "issue": "date", "due": "date",
                "date": "date", "amount": "amount", "currency": "code"}[kind]


def _labels(kind: str, rank: int, lang: str, *patterns: str) -> list[_Label]:
    return [_Label(kind, rank, lang, p) for p in patterns]


# Order matters where labels share a beginning: the first alternative that matches at a
# position wins, so "Invoice date" must come before "Invoice", and "Total due" before
# "Total". Labels of other values ("x-...": customer numbers, delivery dates, net amounts)
# are recognised so that their values are not taken for the invoice's.
_LABELS: list[_Label] = [
    *_labels("number", 1, "en", r"invoice\s*(?:number|no\.?|nr\.?|num\.?|#|id)",
             r"inv\.?\s*(?:no\.?|#|number)", r"bill\s*(?:no\.?|number|#)"),
    *_labels("number", 1, "de", r"rechnungs\s*-?\s*(?:nummer|nr\.?|no\.?)",
             r"rechnung\s*(?:nummer|nr\.?|no\.?|#)", r"re\.?\s*-\s*nr\.?"),
    *_labels("number", 1, "fr", r"(?:num[ée]ro|n°|nº|no\.?)\s*(?:de\s+(?:la\s+)?)?facture",
             r"facture\s*(?:n°|nº|no\.?|num[ée]ro|#)"),
    *_labels("number", 1, "es", r"(?:n[úu]mero|n°|nº|no\.?)\s*(?:de\s+)?factura",
             r"factura\s*(?:n°|nº|no\.?|n[úu]m(?:ero)?\.?|#)"),
    *_labels("number", 1, "nl", r"factuur\s*-?\s*(?:nummer|nr\.?|no\.?)"),
    *_labels("x-id", 0, "en", r"customer\s*(?:no\.?|number|id|#|ref(?:erence)?)",
             r"client\s*(?:no\.?|number|id|#)", r"account\s*(?:no\.?|number|#)",
             r"(?:purchase\s+)?order\s*(?:no\.?|number|#|ref(?:erence)?)",
             r"p\.?o\.?\s*(?:no\.?|number|#)", r"vat\s*(?:reg(?:istration)?\.?\s*)?(?:no\.?|number|id)",
             r"tax\s*(?:id|no\.?|number)", r"reference", r"ref\.", r"iban", r"bic", r"swift",
             r"sort\s+code"),
    *_labels("x-id", 0, "de", r"kunden\s*-?\s*(?:nummer|nr\.?)", r"kd\.?\s*-?\s*nr\.?",
             r"(?:bestell|auftrags|lieferschein)\s*-?\s*(?:nummer|nr\.?)",
             r"ust\.?\s*-?\s*id\.?\s*-?\s*(?:nr\.?)?", r"steuer\s*-?\s*(?:nummer|nr\.?)"),
    *_labels("x-id", 0, "fr", r"(?:n°|nº|num[ée]ro)\s*(?:de\s+)?(?:client|tva|commande)",
             r"siret", r"siren"),
    *_labels("x-id", 0, "es", r"n[úu]mero\s+de\s+(?:cliente|pedido)", r"cif", r"nif"),
    *_labels("x-id", 0, "nl", r"(?:klant|btw)\s*-?\s*(?:nummer|nr\.?)", r"kvk"),
    *_labels("due", 1, "en", r"due\s+date", r"date\s+due", r"payment\s+due(?:\s+date)?",
             r"due\s+(?:by|on)", r"(?:please\s+)?pay(?:able)?\s+by",
             r"please\s+pay\s+(?:the\s+)?(?:total\s+|full\s+)?(?:amount|balance|invoice)\s+by"),
    *_labels("due", 1, "de", r"f[äa]lligkeits\s*-?\s*datum", r"f[äa]llig(?:keit|\s+am|\s+bis)?",
             r"zahlbar\s+bis(?:\s+(?:zum|sp[äa]testens))?", r"zahlungsziel", r"zahlungstermin",
             r"zu\s+zahlen\s+bis",
             r"(?:begleichen|[üu]berweisen|zahlen)\s+sie\s+(?:den\s+(?:rechnungs)?betrag\s+)?"
             r"bis(?:\s+(?:zum|sp[äa]testens))?"),
    *_labels("due", 1, "fr", r"date\s+d['’]\s*[ée]ch[ée]ance", r"[ée]ch[ée]ance",
             r"(?:[àa]\s+)?payer\s+avant\s+le"),
    *_labels("due", 1, "es", r"fecha\s+de\s+vencimiento", r"vencimiento",
             r"fecha\s+l[íi]mite(?:\s+de\s+pago)?"),
    *_labels("due", 1, "nl", r"vervaldatum", r"uiterste\s+betaaldatum", r"te\s+betalen\s+v[óo][óo]r"),
    *_labels("issue", 1, "en", r"invoice\s+date", r"date\s+of\s+(?:issue|invoice)",
             r"issue\s+date", r"date\s+issued", r"issued(?:\s+on)?", r"billing\s+date"),
    *_labels("issue", 1, "de", r"rechnungs\s*-?\s*datum", r"ausstellungs\s*-?\s*datum"),
    *_labels("issue", 1, "fr", r"date\s+de\s+(?:la\s+)?facture", r"date\s+d['’]\s*[ée]mission",
             r"date\s+de\s+facturation"),
    *_labels("issue", 1, "es", r"fecha\s+de\s+(?:la\s+)?factura",
             r"fecha\s+de\s+(?:emisi[óo]n|expedici[óo]n)"),
    *_labels("issue", 1, "nl", r"factuurdatum"),
    *_labels("x-date", 0, "en", r"delivery\s+date", r"date\s+of\s+(?:delivery|supply|service)",
             r"order\s+date", r"service\s+(?:date|period)", r"ship(?:ping|ment)?\s+date",
             r"tax\s+point(?:\s+date)?", r"period", r"printed(?:\s+on)?", r"paid\s+on"),
    *_labels("x-date", 0, "de", r"liefer\s*-?\s*(?:/\s*leistungs)?datum", r"leistungs\s*-?\s*datum",
             r"leistungszeitraum", r"(?:bestell|auftrags)\s*-?\s*datum", r"zeitraum",
             r"bezahlt\s+am"),
    *_labels("x-date", 0, "fr", r"date\s+de\s+livraison", r"p[ée]riode"),
    *_labels("x-date", 0, "es", r"fecha\s+de\s+(?:entrega|pedido)", r"periodo"),
    *_labels("x-date", 0, "nl", r"leverdatum", r"periode"),
    *_labels("amount", 1, "en", r"total\s+amount\s+due", r"amount\s+due", r"balance\s+due",
             r"total\s+due", r"(?:amount|total)\s+payable", r"amount\s+to\s+pay", r"please\s+pay"),
    *_labels("amount", 1, "de", r"zu\s+zahlender\s+betrag", r"zahl(?:ungs)?betrag", r"zu\s+zahlen",
             r"offener\s+betrag", r"f[äa]lliger\s+betrag"),
    *_labels("amount", 1, "fr", r"net\s+[àa]\s+payer", r"montant\s+d[ûu]", r"reste\s+[àa]\s+payer",
             r"(?:total|montant)\s+[àa]\s+payer"),
    *_labels("amount", 1, "es", r"(?:total|importe)\s+a\s+pagar"),
    *_labels("amount", 1, "nl", r"(?:totaal\s+)?te\s+betalen", r"openstaand\s+bedrag"),
    *_labels("x-amount", 0, "en", r"sub\s*-?\s*total", r"net\s+(?:amount|total)",
             r"total\s+(?:net|excl\.?\w*|excluding|exclusive|before\s+tax|ex\.?\s*vat|vat|tax)",
             r"amount\s+paid", r"paid(?:\s+to\s+date)?", r"deposit", r"discount",
             r"unit\s+price", r"price", r"rate", r"sales\s+tax", r"vat", r"tax", r"gst", r"hst",
             r"net"),
    *_labels("x-amount", 0, "de", r"zwischensumme", r"netto\s*-?\s*(?:betrag|summe)",
             r"gesamtbetrag\s+netto",
             r"(?:summe|gesamt)\s+netto", r"netto", r"mwst\.?", r"ust\.?", r"mehrwertsteuer",
             r"umsatzsteuer", r"einzelpreis", r"preis", r"bereits\s+(?:bezahlt|gezahlt)",
             r"anzahlung", r"rabatt", r"skonto"),
    *_labels("x-amount", 0, "fr", r"(?:total|montant)\s+ht", r"tva", r"sous\s*-?\s*total",
             r"prix(?:\s+unitaire)?"),
    *_labels("x-amount", 0, "es", r"base\s+imponible", r"iva", r"precio(?:\s+unitario)?"),
    *_labels("x-amount", 0, "nl", r"subtotaal", r"btw", r"prijs"),
    *_labels("amount", 2, "en", r"grand\s+total", r"invoice\s+total", r"total\s+amount",
             r"total\s+(?:incl\.?\w*|including|inclusive|gross)(?:\s+(?:of\s+)?(?:vat|tax|gst))?",
             r"gross\s+(?:total|amount)", r"total"),
    *_labels("amount", 2, "de", r"gesamtbetrag(?:\s+brutto)?", r"rechnungsbetrag", r"endbetrag",
             r"gesamtsumme", r"brutto\s*-?\s*betrag", r"(?:summe|gesamt)\s+brutto", r"rechnungssumme"),
    *_labels("amount", 2, "fr", r"total\s+ttc", r"montant\s+(?:total|ttc)"),
    *_labels("amount", 2, "es", r"importe\s+total", r"total\s+factura"),
    *_labels("amount", 2, "nl", r"totaal\s*bedrag", r"totaal(?:\s+incl\.?\s*btw)?"),
    *_labels("currency", 1, "en", r"currency"),
    *_labels("currency", 1, "de", r"w[äa]hrung"),
    *_labels("currency", 1, "fr", r"devise"),
    *_labels("currency", 1, "es", r"moneda"),
    *_labels("currency", 1, "nl", r"valuta"),
    *_labels("amount", 3, "en", r"amount"),
    *_labels("amount", 3, "de", r"betrag", r"gesamt", r"summe", r"brutto"),
    *_labels("amount", 3, "fr", r"montant"),
    *_labels("amount", 3, "es", r"importe"),
    *_labels("amount", 3, "nl", r"bedrag"),
    *_labels("due", 2, "en", r"due"),
    *_labels("issue", 2, "en", r"date", r"dated"),
    *_labels("issue", 2, "de", r"datum"),
    *_labels("issue", 2, "es", r"fecha"),
    # the word alone, followed on the same line by the number ("Invoice INV-2026-0042")
    *_labels("number", 2, "en", r"invoice", r"inv\."),
    *_labels("number", 2, "de", r"rechnung"),
    *_labels("number", 2, "fr", r"facture"),
    *_labels("number", 2, "es", r"factura"),
    *_labels("number", 2, "nl", r"factuur"),
]

# A label is a whole word or words: not inside a longer word, whatever it ends with.
_LABEL_RE = re.compile(
    r"(?<!\w)(?=[^\W\d_])(?:" + "|".join(rf"(?P<L{i}>{label.pattern})" for i, label in enumerate(_LABELS))
    + r")(?:(?<=\W)|(?!\w))", re.IGNORECASE)


def _label_of(m: re.Match[str]) -> _Label:
    assert m.lastgroup is not None
    return _LABELS[int(m.lastgroup[1:])]


# An invoice number: letters, digits and - / . _ with at least one digit, like
# INV-2026-0042, 10234, RE-2026/114.
_ID = r"(?=[\w/.-]*\d)[A-Za-z0-9](?:[A-Za-z0-9/_.-]*[A-Za-z0-9])?"
_ID_RE = re.compile(rf"(?<![\w/.-]){_ID}(?![\w/-])")
_AFTER_LABEL = re.compile(r"[ :#.]*(?:[-–] +)?")
_ONLY_LABELS = re.compile(r"[\s:|/#.()\-–]*")


def _id_value(text: str) -> str | None:
    """The invoice number at the start of ``text``."""
    m = _ID_RE.match(text)
    if not m or len(m.group(0)) > _MAX_NUMBER:
        return None
    value = m.group(0)
    if _date_re().fullmatch(value):
        return None
    return value


@cache
def _cell_re() -> re.Pattern[str]:
    """Cells of a table row under a row of labels, in reading order."""
    date_pattern = _date_re().pattern
    return re.compile(rf"(?P<date>{date_pattern})|(?P<amount>{_AMOUNT})"
                      rf"|(?<![\w/.-])(?P<id>{_ID})(?![\w/-])", re.IGNORECASE)


# --------------------------------------------------------------------------- reading text

_NEAR = 40   # a value must start this close after its label


@dataclass(frozen=True, slots=True)
class _Hit:
    """A label and the value written with it."""

    label: _Label
    line: int
    id: str | None = None
    date: _DateText | None = None
    money: _Money | None = None
    code: str | None = None
    loose: bool = False     # on the next line, though the label's line goes on


def _value(label: _Label, text: str, line: int, default_currency: str | None,
           *, under: bool = False, loose: bool = False) -> _Hit | None:
    """The value of type ``label.type`` that ``text`` (what follows the label) starts with.
    ``under``: ``text`` is the next line, and the value may be anywhere in it; ``loose``:
    it must begin that line."""
    kind = label.type
    if kind == "id":
        sep = _AFTER_LABEL.match(text)
        value = _id_value(text[sep.end() if sep else 0:])
        # the bare word ("Invoice 7 of 9") needs a number that looks like one
        if value is None or (label.rank > 1 and (under or len(value) < 3)):
            return None
        return _Hit(label, line, id=value, loose=loose)
    near = text[:_NEAR + 30] if not under else text
    if kind == "date":
        for m in _date_re().finditer(near):
            if (m.start() > _NEAR and not under) or (loose and m.start() > 0):
                break
            d = _date_text(m)
            if d is not None:
                return _Hit(label, line, date=d, loose=loose)
        return None
    if kind == "amount":
        for m in _AMOUNT_RE.finditer(near):
            if (m.start() > _NEAR and not under) or (loose and m.start() > 0):
                break
            money = _money(m, default_currency)
            if money is not None and money.marked:
                return _Hit(label, line, money=money, loose=loose)
        return None
    code = re.match(r"[ :]*([A-Z]{3})\b", text)
    if code and code.group(1) in _currencies():
        return _Hit(label, line, code=code.group(1))
    return None


def _table(labels: Sequence[_Label], row: str, line: int,
           default_currency: str | None) -> list[_Hit]:
    """A row of labels over a row of values: the k-th date label gets the k-th date, the k-th
    amount label the k-th amount, and so on, whatever order the columns come in."""
    cells: dict[str, list[_Hit]] = {}
    for m in _cell_re().finditer(row):
        if m.group("date"):
            d = _date_text(m)
            if d is not None:
                cells.setdefault("date", []).append(_Hit(labels[0], line, date=d))
            continue
        if m.group("num"):
            money = _money(m, default_currency)
            if money is not None and money.marked:
                cells.setdefault("amount", []).append(_Hit(labels[0], line, money=money))
                continue
        value = m.group(0).strip()
        if _ID_RE.fullmatch(value) and len(value) <= _MAX_NUMBER:
            cells.setdefault("id", []).append(_Hit(labels[0], line, id=value))
    hits: list[_Hit] = []
    for kind in ("date", "amount", "id"):
        mine = [label for label in labels if label.type == kind]
        found = cells.get(kind, [])
        if mine and len(mine) == len(found):     # otherwise the columns cannot be told apart
            hits += [_Hit(label, line, id=h.id, date=h.date, money=h.money)
                     for label, h in zip(mine, found, strict=True)]
    return hits


def _scan(text: str, default_currency: str | None) -> list[_Hit]:
    """Every labelled value in ``text``: after its label on the same line, under it on the
    next line, or in a table row under a row of labels."""
    lines = text.split("\n")
    hits: list[_Hit] = []
    for i, line in enumerate(lines):
        found = list(_LABEL_RE.finditer(line))
        if not found:
            continue
        labels = [_label_of(m) for m in found]
        below = lines[i + 1] if i + 1 < len(lines) else ""
        # under a label, only what comes before the next line's own labels
        below_free = below[:nxt.start()] if (nxt := _LABEL_RE.search(below)) else below
        rest = _between(line, found)
        if len(found) > 1 and _ONLY_LABELS.fullmatch(rest):
            hits += _table(labels, below, i + 1, default_currency)
            continue
        for k, (m, label) in enumerate(zip(found, labels, strict=True)):
            end = found[k + 1].start() if k + 1 < len(found) else len(line)
            segment = line[m.end():end]
            hit = _value(label, segment, i, default_currency)
            if (hit is None and k == len(found) - 1 and below_free.strip()
                    and not label.kind.startswith("x-")
                    and (label.rank == 1 or label.type != "id")):
                # the value under its label; when the label's line goes on (two columns
                # side by side), only a value that begins the next line
                loose = not _ONLY_LABELS.fullmatch(segment)
                hit = _value(label, below_free, i + 1, default_currency, under=True,
                             loose=loose)
            if hit is not None:
                hits.append(hit)
    # "Berlin, 14.03.2026" / "London, 14 March 2026": the date a letter is written on
    for i, line in enumerate(lines[:40]):
        letter = re.fullmatch(r"[^\W\d][^\d,]{1,38}, (?:(?:den|le|el) )?(.+)", line)
        if letter:
            d = _first_date(letter.group(1))
            if d is not None and d.text == letter.group(1):
                hits.append(_Hit(_Label("issue", 3, "", ""), i, date=d))
    return hits


def _between(line: str, found: Sequence[re.Match[str]]) -> str:
    """What a line holds besides its labels."""
    parts, last = [], 0
    for m in found:
        parts.append(line[last:m.start()])
        last = m.end()
    parts.append(line[last:])
    return "".join(parts)


# Payment terms, as a number of days after the issue date. Discounts for early payment
# ("innerhalb 10 Tagen 2 % Skonto") are terms too, but not the due date: skipped.
_TERMS = [re.compile(p, re.IGNORECASE) for p in (
    r"\bnet(?:to)?\s*(\d{1,3})(?!\d|[.,]\d)(?:\s*(?:days|tage|jours|d[íi]as|dagen))?",
    r"\b(\d{1,3})\s*days?\s+net\b",
    r"\b(?:payment|payable|due|pay|paid)\s+(?:with)?in\s+(\d{1,3})\s+(?:calendar\s+)?days\b",
    r"\bterms\s*:?\s*(\d{1,3})\s+days\b",
    r"\b(?:zahlbar|zahlung|f[äa]llig|zu\s+zahlen)\s+(?:innerhalb|binnen|in)\s+(?:von\s+)?"
    r"(\d{1,3})\s+(?:kalender)?tag(?:en|e)?\b",
    r"\binnerhalb\s+(?:von\s+)?(\d{1,3})\s+tag(?:en|e)?\s+(?:netto|ohne\s+abzug|nach\s+rechnung)",
    r"\bzahlungsziel\s*:?\s*(\d{1,3})\s+tag(?:en|e)?\b",
    r"\b(\d{1,3})\s+tage\s+netto\b",
    r"\b(?:paiement|payable|r[èe]glement)\s+[àa]\s+(\d{1,3})\s+jours\b",
    r"\b(\d{1,3})\s+jours\s+net\b",
    r"\b(?:pago|vencimiento)\s+a\s+(\d{1,3})\s+d[íi]as\b",
    r"\bplazo\s+de\s+pago\s*:?\s*(\d{1,3})\s+d[íi]as\b",
    r"\bbinnen\s+(\d{1,3})\s+dagen\b",
)]
_ON_RECEIPT = re.compile(
    r"\b(?:due|payable)\s+(?:up)?on\s+receipt\b|\bsofort\s+(?:zahlbar|f[äa]llig)\b"
    r"|\bzahlbar\s+sofort\b|\b[àa]\s+r[ée]ception\b", re.IGNORECASE)
_DISCOUNT = re.compile(r"skonto|discount|escompte|descuento|korting|%", re.IGNORECASE)


def _terms(text: str) -> int | None:
    """Days to pay; with several ("8 days 2 % discount, 30 days net") the longest."""
    days = [int(m.group(1)) for rx in _TERMS for m in rx.finditer(text)
            if not _DISCOUNT.search(text[m.end():m.end() + 40]) and int(m.group(1)) <= 365]
    if days:
        return max(days)
    return 0 if _ON_RECEIPT.search(text) else None


_CREDIT_NOTE = re.compile(
    r"\b(?:credit\s*note|credit\s*memo|gutschrift|stornorechnung|rechnungskorrektur|avoir"
    r"|nota\s+de\s+cr[ée]dito|factura\s+rectificativa|creditnota|creditfactuur)\b", re.IGNORECASE)


def _date_order(text: str, hits: Sequence[_Hit], currencies: set[str]) -> tuple[str | None, str]:
    """How to read a/b/yyyy dates in this document, and why; None when nothing says."""
    day_first = month_first = False
    for m in _date_re().finditer(text):
        d = _date_text(m)
        if d is None or d.numeric is None:
            continue
        a, b, year = d.numeric
        dmy, mdy = _make_date(year, b, a), _make_date(year, a, b)
        day_first |= bool(dmy and not mdy)
        month_first |= bool(mdy and not dmy)
    if day_first != month_first:
        return (DMY if day_first else MDY), "other dates in the document"
    langs = sorted({h.label.lang for h in hits} - {"en", ""})
    if langs:
        return DMY, f"labels in {', '.join(langs)}"
    if currencies == {"USD"}:
        return MDY, "amounts in US dollars"
    if currencies and "USD" not in currencies:
        return DMY, f"amounts in {', '.join(sorted(currencies))}"
    return None, ""


@dataclass(slots=True)
class _Facts:
    """What one source says about the invoice; None where it says nothing."""

    strong: list[str] = field(default_factory=list)   # invoice numbers under a clear label
    weak: list[str] = field(default_factory=list)     # after the bare word "Invoice"
    amount: Decimal | None = None
    currency: str | None = None
    issue_date: date | None = None
    due_date: date | None = None
    terms_days: int | None = None
    buyer: str | None = None
    credit_note: bool = False
    notes: dict[str, str] = field(default_factory=dict)   # field -> why it is not read


def _best(hits: Sequence[_Hit], kind: str, *, last: bool = False) -> _Hit | None:
    """The hit of the most specific label; the first such (dates) or the last (totals,
    which end an invoice; an item table's "Amount" column comes before them)."""
    mine = [h for h in hits if h.label.kind == kind]
    if not mine:
        return None
    rank = min((h.label.rank, h.loose) for h in mine)
    best = [h for h in mine if (h.label.rank, h.loose) == rank]
    return best[-1] if last else best[0]


def _read_text(text: str, default_currency: str | None, order: str | None = None,
               order_why: str = "") -> _Facts:
    """The facts a PDF's text (or a mail body) states under labels."""
    facts = _Facts()
    if not text:
        return facts
    hits = _scan(text, default_currency)
    for h in hits:
        if h.label.kind == "number" and h.id:
            (facts.strong if h.label.rank == 1 else facts.weak).append(h.id)
    written = _currencies_in(text, default_currency)
    written |= {h.code for h in hits if h.code}
    if order is None:
        order, order_why = _date_order(text, hits, written)

    total = _best(hits, "amount", last=True)
    if total is not None and total.money is not None:
        facts.amount = total.money.value
        facts.currency = total.money.currency
    if facts.currency is None and len(written) == 1:
        facts.currency = next(iter(written))
    elif facts.currency is None and len(written) > 1:
        facts.notes["currency"] = f"several currencies in the text ({', '.join(sorted(written))})"

    for name in ("issue", "due"):
        hit = _best(hits, name)
        if hit is None or hit.date is None:
            continue
        value = _resolve(hit.date, order)
        if value is None:
            facts.notes[f"{name}_date"] = (f"{hit.date.text!r} could be day/month or month/day "
                                           f"and nothing in the document says which")
            continue
        if value != _resolve(hit.date, MDY if order == DMY else DMY):
            facts.notes["date_order"] = f"{order} ({order_why})"
        if name == "issue":
            facts.issue_date = value
        else:
            facts.due_date = value
    facts.terms_days = _terms(text)
    return facts


# Invoice numbers that carry their own prefix, as file names and subjects often have them
# without a word before: INV-2026-0042.pdf, RE-2026-114.pdf.
_PREFIXED = re.compile(r"(?<![\w/.-])(?:INV|RE|RG|RN|FAC|FACT)[-/]?\d[\w/-]*(?![\w/-])",
                       re.IGNORECASE)


def _numbers_in_line(text: str) -> list[str]:
    """Invoice numbers in a subject or file name."""
    found = [h.id for h in _scan(text, None) if h.label.kind == "number" and h.id]
    found += [m.group(0) for m in _PREFIXED.finditer(text) if len(m.group(0)) <= _MAX_NUMBER]
    return found


def _numbers_in_filename(name: str) -> list[str]:
    stem = re.sub(r"\.(?:pdf|xml)$", "", name, flags=re.IGNORECASE)
    stem = stem.replace("_", " ").replace("+", " ")
    stem = re.sub(r"(?i)\b(invoice|rechnung|facture|factura|factuur|inv)-", r"\1 ", stem)
    return _numbers_in_line(stem)


def _parts_of(number: str) -> list[str]:
    """ "INV-2026-0042" -> ["INV", "2026", "42"]: words and numbers, without leading zeros."""
    parts = re.findall(r"[A-Za-z]+|\d+", number)
    return [(p.lstrip("0") or "0") if p.isdigit() else p.upper() for p in parts]


def _same_number(a: str, b: str) -> bool:
    """Whether two spellings name the same invoice: "INV-10234" and "10234" do, "2026-0142"
    and "42" do not."""
    pa, pb = _parts_of(a), _parts_of(b)
    if len(pa) < len(pb):
        pa, pb = pb, pa
    return bool(pb) and pa[len(pa) - len(pb):] == pb


@dataclass(frozen=True, slots=True)
class _Number:
    value: str | None
    where: str              # evidence: where it was read, or why it is not
    seen: bool              # some invoice number was written somewhere


def _pick_number(strong: Sequence[tuple[str, str]], weak: Sequence[tuple[str, str]]) -> _Number:
    """One invoice number from (number, where) candidates, most trusted first. Weak ones
    count only when there is no strong one; numbers that disagree are not chosen between."""
    pool = list(strong) or list(weak)
    if not pool:
        return _Number(None, "", False)
    groups: list[list[tuple[str, str]]] = []
    for cand in pool:
        for group in groups:
            if _same_number(group[0][0], cand[0]):
                group.append(cand)
                break
        else:
            groups.append([cand])
    if len(groups) == 1:
        return _Number(pool[0][0], pool[0][1], True)
    shown = ", ".join(f"{g[0][0]} ({g[0][1]})" for g in groups[:4])
    return _Number(None, f"several invoice numbers: {shown}", True)


# --------------------------------------------------------------------------- e-invoices

_UBL = "urn:oasis:names:specification:ubl:schema:xsd:"


class _Refused(Exception):
    pass


def _refuse(*_: object) -> NoReturn:
    raise _Refused


def _parse_xml(data: bytes) -> ET.Element | None:
    """An XML document, or None. E-invoices never need a DTD; one is refused outright, so
    no entity can expand or be fetched (the "billion laughs" and XXE attacks)."""
    if len(data) > _MAX_XML:
        return None
    try:
        guard = expat.ParserCreate()
        guard.StartDoctypeDeclHandler = _refuse
        guard.EntityDeclHandler = _refuse
        guard.Parse(data, True)
        return ET.fromstring(data)
    except (_Refused, expat.ExpatError, ET.ParseError, ValueError, LookupError):
        return None


def _local(el: ET.Element) -> str:
    return el.tag.rpartition("}")[2] if isinstance(el.tag, str) else ""


def _child(el: ET.Element | None, *path: str) -> ET.Element | None:
    """Down ``path`` by local names, each step a direct child; "A|B" takes either."""
    for step in path:
        if el is None:
            return None
        names = step.split("|")
        el = next((c for c in el if _local(c) in names), None)
    return el


def _children(el: ET.Element | None, name: str) -> list[ET.Element]:
    return [c for c in el if _local(c) == name] if el is not None else []


def _descendant(el: ET.Element | None, *names: str) -> ET.Element | None:
    if el is None:
        return None
    return next((d for d in el.iter() if _local(d) in names), None)


def _text(el: ET.Element | None) -> str | None:
    if el is None:
        return None
    return (el.text or "").strip() or None


def _xml_decimal(el: ET.Element | None) -> Decimal | None:
    text = _text(el)
    if text is None or not re.fullmatch(r"-?\d{1,15}(?:\.\d{1,6})?", text):
        return None
    return Decimal(text)


def _xml_currency(text: str | None) -> str | None:
    return text if text and text in _currencies() else None


def _e_invoice_kind(root: ET.Element) -> str | None:
    ns = root.tag.partition("}")[0].lstrip("{") if root.tag.startswith("{") else ""
    if _local(root) in ("Invoice", "CreditNote") and ns == f"{_UBL}{_local(root)}-2":
        return "ubl"
    if _local(root) in ("CrossIndustryInvoice", "CrossIndustryDocument"):
        return "factur-x"
    return None


def _cii_date(el: ET.Element | None) -> date | None:
    """udt:DateTimeString; format 102 is CCYYMMDD (UN/EDIFACT 2379)."""
    text = _text(el)
    if el is None or text is None or el.get("format", "102") != "102":
        return None
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def _iso_date(text: str | None) -> date | None:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text or "")
    return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


# UNTDID 1001 document types that credit rather than charge
_CII_CREDIT = frozenset({"381", "261", "262", "296", "396", "420", "458", "532"})


def _read_cii(root: ET.Element) -> tuple[str | None, _Facts]:
    """Factur-X / ZUGFeRD 2 (CrossIndustryInvoice), and ZUGFeRD 1 (CrossIndustryDocument)."""
    facts = _Facts()
    doc = _descendant(root, "ExchangedDocument", "HeaderExchangedDocument")
    number = _text(_child(doc, "ID"))
    facts.credit_note = _text(_child(doc, "TypeCode")) in _CII_CREDIT
    facts.issue_date = _cii_date(_child(doc, "IssueDateTime", "DateTimeString"))
    settlement = _descendant(root, "ApplicableHeaderTradeSettlement",
                             "ApplicableSupplyChainTradeSettlement")
    facts.currency = _xml_currency(_text(_child(settlement, "InvoiceCurrencyCode")))
    for terms in _children(settlement, "SpecifiedTradePaymentTerms"):
        facts.due_date = facts.due_date or _cii_date(
            _child(terms, "DueDateDateTime", "DateTimeString"))
        description = _text(_child(terms, "Description"))
        if description and facts.terms_days is None:
            facts.terms_days = _terms(description)
    totals = _child(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation"
                                "|SpecifiedTradeSettlementMonetarySummation")
    for name in ("DuePayableAmount", "GrandTotalAmount"):
        for el in _children(totals, name):
            # a second GrandTotalAmount may be in the tax currency (BT-111): not the one
            if el.get("currencyID") in (None, facts.currency):
                facts.amount = _xml_decimal(el)
                break
        if facts.amount is not None:
            break
    facts.buyer = _text(_child(_descendant(root, "BuyerTradeParty"), "Name"))
    return number, facts


def _read_ubl(root: ET.Element) -> tuple[str | None, _Facts]:
    """UBL 2.1 Invoice or CreditNote (XRechnung, Peppol BIS)."""
    facts = _Facts(credit_note=_local(root) == "CreditNote")
    number = _text(_child(root, "ID"))
    facts.issue_date = _iso_date(_text(_child(root, "IssueDate")))
    facts.due_date = (_iso_date(_text(_child(root, "DueDate")))
                      or _iso_date(_text(_child(root, "PaymentMeans", "PaymentDueDate"))))
    payable = _child(root, "LegalMonetaryTotal", "PayableAmount")
    facts.amount = _xml_decimal(payable)
    facts.currency = _xml_currency(_text(_child(root, "DocumentCurrencyCode"))
                                   or (payable.get("currencyID") if payable is not None else None))
    party = _child(root, "AccountingCustomerParty", "Party")
    facts.buyer = (_text(_child(party, "PartyName", "Name"))
                   or _text(_child(party, "PartyLegalEntity", "RegistrationName")))
    note = _text(_child(root, "PaymentTerms", "Note"))
    facts.terms_days = _terms(note) if note else None
    return number, facts


@dataclass(frozen=True, slots=True)
class _EInvoice:
    kind: str               # "factur-x" or "ubl"
    number: str | None
    facts: _Facts
    where: str              # "factur-x.xml in invoice.pdf", "invoice.xml"


def _e_invoice(data: bytes, where: str) -> _EInvoice | None:
    root = _parse_xml(data)
    kind = _e_invoice_kind(root) if root is not None else None
    if root is None or kind is None:
        return None
    number, facts = _read_cii(root) if kind == "factur-x" else _read_ubl(root)
    return _EInvoice(kind, number, facts, where)


# --------------------------------------------------------------------------- PDFs


@dataclass(frozen=True, slots=True)
class _Pdf:
    name: str | None
    data: bytes
    text: str
    e_invoice: _EInvoice | None
    problem: str | None     # why the PDF (or part of it) could not be read


def _read_pdf(data: bytes, name: str | None) -> _Pdf:
    """The text layer of the first pages, and an embedded e-invoice. Any failure of a
    broken or hostile PDF is caught here and becomes ``problem``."""
    if len(data) > _MAX_PDF:
        return _Pdf(name, data, "", None, "pdf too large to read")
    texts: list[str] = []
    found: _EInvoice | None = None
    problem: str | None = None
    try:
        reader = PdfReader(io.BytesIO(data))
        # decrypt() answers 0 (PasswordType.NOT_DECRYPTED) when the empty password fails
        if reader.is_encrypted and reader.decrypt("") == 0:
            return _Pdf(name, data, "", None, "pdf unreadable (protected by a password)")
        for page in reader.pages[:_MAX_PAGES]:
            try:
                texts.append(page.extract_text())
            except Exception as e:  # one bad page: the others may still be read
                problem = f"pdf partly unreadable ({type(e).__name__})"
        try:
            attachments = reader.attachments
            for file_name in list(attachments)[:10]:
                if found is None and file_name.lower().endswith(".xml"):
                    for content in attachments[file_name][:1]:
                        found = _e_invoice(content, f"{file_name} in the pdf")
        except Exception as e:
            problem = problem or f"pdf attachments unreadable ({type(e).__name__})"
    except Exception as e:  # pypdf raises many kinds on hostile or broken input
        return _Pdf(name, data, "", None, f"pdf unreadable ({type(e).__name__})")
    return _Pdf(name, data, _normal("\n".join(texts)), found, problem)


# --------------------------------------------------------------------------- the message


def _leaves(part: MIMEPart, depth: int = 0) -> Iterator[MIMEPart]:
    """The message's leaf parts. A forwarded message (message/rfc822) is someone else's
    mail, not what we sent: its attachments are not ours."""
    if part.get_content_type() == "message/rfc822" or depth > _MAX_DEPTH:
        return
    if part.is_multipart():
        for sub in part.iter_parts():
            yield from _leaves(sub, depth + 1)
    else:
        yield part


def _payload(part: MIMEPart) -> bytes | None:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return None
    return data if isinstance(data, bytes) else None


def _filename(part: MIMEPart) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        return None
    if not name:
        return None
    return _clean(re.split(r"[/\\]", name)[-1], 150)


def _attachments(msg: EmailMessage) -> tuple[list[tuple[str | None, bytes]], list[_EInvoice]]:
    """The PDFs, and the e-invoices attached as XML."""
    pdfs: list[tuple[str | None, bytes]] = []
    xmls: list[_EInvoice] = []
    for part in _leaves(msg):
        ctype, name = part.get_content_type(), _filename(part)
        lower = (name or "").lower()
        if ctype == "application/pdf" or lower.endswith(".pdf"):
            data = _payload(part)
            if data is not None:      # even empty: a broken invoice PDF is for review
                pdfs.append((name, data))
        elif ctype in ("application/xml", "text/xml") or lower.endswith(".xml"):
            data = _payload(part)
            e = _e_invoice(data, name or "xml attachment") if data else None
            if e is not None:
                xmls.append(e)
        elif ctype == "application/octet-stream":
            data = _payload(part)
            if data and data.startswith(b"%PDF-"):
                pdfs.append((name, data))
    return pdfs, xmls


def _header(msg: EmailMessage, name: str) -> str:
    try:
        return str(msg.get(name, "") or "")
    except Exception:   # a header too broken for the parser's header classes
        return ""


_ADDR_SPEC = re.compile(r"[^\s<>()\[\]\\,;:\"@]+@[^\s<>()\[\]\\,;:\"@]+")


def _addresses(msg: EmailMessage, name: str) -> list[tuple[str, str]]:
    """(display name, addr-spec) pairs of one address header; what is not a plain address
    is left out."""
    pairs: list[tuple[str, str]] = []
    try:
        for header in msg.get_all(name, []):
            parsed = getattr(header, "addresses", None)    # email.headerregistry.AddressHeader
            if parsed is not None:
                pairs += [(str(a.display_name), str(a.addr_spec)) for a in parsed]
            else:
                pairs += getaddresses([str(header)])
    except Exception:
        # a header the parser's classes refuse (a line break encoded into a display name):
        # the addresses as written, without their names
        raw = [str(v) for k, v in msg.raw_items() if k.lower() == name.lower()]
        pairs = [("", a) for _, a in getaddresses(raw)]
    return [(_clean(n, 200) or "", a) for n, a in pairs if _ADDR_SPEC.fullmatch(a)]


class _HtmlText(HTMLParser):
    """The text of an HTML body, a line per block, without scripts and styles."""

    _BLOCKS = frozenset({"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _body(msg: EmailMessage) -> str:
    """The text the sender wrote: the plain part, or the HTML part made plain. Lines quoted
    from earlier mail ("> ...") are someone else's and left out."""
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
        if part is None:
            return ""
        try:
            content = part.get_content()
        except (LookupError, ValueError):     # an unknown or wrong charset
            raw = part.get_payload(decode=True)
            content = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""
        if not isinstance(content, str):
            return ""
        content = content[:_MAX_TEXT]
        if part.get_content_subtype() == "html":
            parser = _HtmlText()
            parser.feed(content)
            parser.close()
            content = "".join(parser.parts)
    except Exception:   # a body too broken to decode is no body
        return ""
    return _normal("\n".join(line for line in content.splitlines()
                              if not line.lstrip().startswith(">")))


def _message_id(msg: EmailMessage) -> str | None:
    value = _header(msg, "Message-ID").strip()
    m = re.fullmatch(r"<?([!-;=?-~]+@[!-;=?-~]+)>?", value)   # RFC 5322 msg-id, loosely
    return f"<{m.group(1)}>" if m and len(value) <= 250 else None


# --------------------------------------------------------------------------- sender patterns


def _patterns_for(patterns: Sequence[SenderPattern], sender: str) -> list[SenderPattern]:
    """The patterns for this From address: the address's own first, then its domain's."""
    s = sender.casefold()
    exact = [p for p in patterns if p.sender.strip().casefold() == s]
    domain = [p for p in patterns if p.sender.strip().startswith("@")
              and s.endswith(p.sender.strip().casefold())]
    return exact + domain


def _search(rx: str, texts: Sequence[str]) -> re.Match[str] | None:
    for text in texts:
        m = re.search(rx, text, re.MULTILINE)
        if m:
            return m
    return None


def _read_patterns(patterns: Sequence[SenderPattern], texts: Sequence[str],
                   default_currency: str | None) -> tuple[str | None, _Facts, dict[str, str]]:
    """(number, facts, field -> where) from the first pattern that matches for each field.
    A pattern that matches a value it cannot read leaves the field missing: the defaults
    are not asked, as the sender's layout is known to mislead them."""
    facts = _Facts()
    where: dict[str, str] = {}
    number: str | None = None
    for name in ("number", "amount", "issue_date", "due_date"):
        for p in patterns:
            rx = getattr(p, name)
            if not rx:
                continue
            try:
                m = _search(rx, texts)
            except re.error as e:
                facts.notes[name] = f"sender pattern for {p.sender} is not a regular expression ({e})"
                continue
            if m is None:
                continue
            raw = (m.group(1) if m.re.groups else m.group(0)) or ""
            got = f"sender pattern for {p.sender}"
            if name == "number":
                value = _clean(raw, _MAX_NUMBER)
                if value and re.search(r"[A-Za-z0-9]", value):
                    number, where[name] = value, got
                else:
                    facts.notes[name] = f"{got} matched {raw[:40]!r}: not an invoice number"
            elif name == "amount":
                money = _first_money(raw, default_currency)
                if money is None:
                    facts.notes[name] = f"{got} matched {raw[:40]!r}: not an amount"
                else:
                    facts.amount, facts.currency, where[name] = money.value, money.currency, got
            else:
                d = _first_date(raw)
                value_date = _resolve(d, p.date_order.upper()) if d else None
                if value_date is None:
                    facts.notes[name] = f"{got} matched {raw[:40]!r}: not a date"
                elif name == "issue_date":
                    facts.issue_date, where[name] = value_date, got
                else:
                    facts.due_date, where[name] = value_date, got
            break
    return number, facts, where


# --------------------------------------------------------------------------- the whole email


@dataclass(frozen=True, slots=True)
class _Attached:
    """An email's attachments, read."""

    pdf: _Pdf | None                # the invoice PDF
    text: _Facts                    # what its text says
    e_invoice: _EInvoice | None     # the first e-invoice, embedded or attached
    e_number: _Number               # the e-invoices' invoice number
    number: _Number                 # the number written in the PDF, subject or file name


def _read_attached(pdf_parts: Sequence[tuple[str | None, bytes]], attached: Sequence[_EInvoice],
                   subject: str, default_currency: str | None, order: str | None,
                   order_why: str) -> _Attached:
    pdfs = [_read_pdf(data, name) for name, data in pdf_parts[:_MAX_PDFS]]
    texts = [_read_text(p.text, default_currency, order, order_why) for p in pdfs]
    names = [_numbers_in_filename(p.name) if p.name else [] for p in pdfs]
    e_invoices = [p.e_invoice for p in pdfs if p.e_invoice is not None] + list(attached)

    # the invoice PDF: the one with an e-invoice inside, else the first naming an invoice
    # number, else the first (a scan, when the subject names the invoice)
    chosen = next((i for i, p in enumerate(pdfs) if p.e_invoice is not None), None)
    if chosen is None:
        chosen = next((i for i in range(len(pdfs))
                       if texts[i].strong or texts[i].weak or names[i]), 0 if pdfs else None)
    text = texts[chosen] if chosen is not None else _Facts()

    strong = [(n, "pdf") for n in text.strong] + [(n, "subject") for n in _numbers_in_line(subject)]
    if chosen is not None:
        strong += [(n, "file name") for n in names[chosen]]
        # a second invoice attached to the same email makes the number a question
        strong += [(n, f"another pdf ({pdfs[i].name or 'unnamed'})") for i in range(len(pdfs))
                   if i != chosen for n in texts[i].strong + names[i]]
    return _Attached(
        pdf=pdfs[chosen] if chosen is not None else None, text=text,
        e_invoice=e_invoices[0] if e_invoices else None,
        e_number=_pick_number([(e.number, e.kind) for e in e_invoices if e.number], []),
        number=_pick_number(strong, [(n, "pdf") for n in text.weak]))


_T = TypeVar("_T")


@dataclass(slots=True)
class _Merge:
    """Each field from the first source that states it, in order of trust, noting where it
    came from -- or, when none does, why not."""

    sources: list[tuple[_Facts, str]]
    pattern_where: dict[str, str]
    evidence: dict[str, str] = field(default_factory=dict)

    def pick(self, name: str, get: Callable[[_Facts], _T | None]) -> _T | None:
        for facts, where in self.sources:
            value = get(facts)
            if value is not None:
                self.evidence[name] = (self.pattern_where.get(name, "sender pattern")
                                       if where == "pattern" else where)
                return value
            if where == "pattern" and name in facts.notes:
                break       # the sender's pattern found the field, but not a value in it
        why = next((f.notes[name] for f, _ in self.sources if name in f.notes), None)
        if why:
            self.evidence[name] = why
        return None


def _due(merge: _Merge, issue: date | None, default_terms_days: int | None
         ) -> tuple[date | None, int | None]:
    """The due date and payment terms: stated, else issue date + terms (the invoice's own,
    else the config's)."""
    evidence = merge.evidence
    terms = merge.pick("terms_days", lambda f: f.terms_days)
    due = merge.pick("due_date", lambda f: f.due_date)
    if due is None:
        days, days_from = ((terms, evidence.get("terms_days", "")) if terms is not None
                           else (default_terms_days, "config"))
        if days is not None and issue is not None:
            due = issue + timedelta(days=days)
            evidence["due_date"] = f"issue date + {days} days ({days_from} terms)"
            if terms is None:
                terms, evidence["terms_days"] = days, "config"
        elif days is not None:
            evidence.setdefault("due_date", f"payment terms of {days} days, but no issue date")
    if due is not None and issue is not None and due < issue:
        evidence["due_date"] = f"{due.isoformat()} is before the issue date {issue.isoformat()}"
        due = None
    return due, terms


def read_invoice_email(msg: EmailMessage, *, patterns: Sequence[SenderPattern] = (),
                       default_currency: str | None = None,
                       default_terms_days: int | None = None) -> Found | None:
    """The invoice an email sent, or None when it is not an invoice email.

    A :class:`Found` whose ``missing`` is not empty is an invoice email that could not be
    read completely: the caller lists it for a person, and nothing is guessed.
    ``default_currency`` is used when no currency is written anywhere;
    ``default_terms_days`` when the invoice states neither a due date nor payment terms.
    """
    pdf_parts, xml_parts = _attachments(msg)
    if not pdf_parts and not xml_parts:
        return None
    default_currency = default_currency.upper() if default_currency else None
    subject = _normal(_header(msg, "Subject"))[:500]
    senders = _addresses(msg, "From")
    mine = _patterns_for(patterns, senders[0][1] if senders else "")
    order = mine[0].date_order.upper() if mine else None
    order_why = f"sender pattern for {mine[0].sender}" if mine else ""

    got = _read_attached(pdf_parts, xml_parts, subject, default_currency, order, order_why)
    body_text = _body(msg)
    pdf_text = got.pdf.text if got.pdf else ""
    pattern_number, pattern, pattern_where = _read_patterns(
        mine, [pdf_text, subject, body_text], default_currency)
    e = got.e_invoice
    if e is None and pattern_number is None and not got.number.seen:
        return None

    # the number: the e-invoice's, else the sender pattern's, else the one written
    if got.e_number.seen:
        number, number_from = got.e_number.value, got.e_number.where
    elif pattern_number is not None:
        number, number_from = pattern_number, pattern_where["number"]
    else:
        number, number_from = got.number.value, got.number.where
    sources = [(pattern, "pattern"), (got.text, "pdf"),
               (_read_text(body_text, default_currency, order, order_why), "body")]
    if e is not None:
        sources.insert(0, (e.facts, e.kind))
    merge = _Merge(sources, pattern_where, {"number": number_from} if number_from else {})
    evidence = merge.evidence

    amount = merge.pick("amount", lambda f: f.amount)
    currency = merge.pick("currency", lambda f: f.currency)
    if currency is None and default_currency and "currency" not in evidence:
        currency, evidence["currency"] = default_currency, "config (no currency written)"
    issue = merge.pick("issue_date", lambda f: f.issue_date)
    due, terms = _due(merge, issue, default_terms_days)
    # a credit note is for a person; the e-invoice's document type is exact, else its title
    if (e.facts.credit_note if e is not None
            else _CREDIT_NOTE.search(subject) or _CREDIT_NOTE.search(pdf_text[:400])):
        amount = None
        evidence["kind"] = "credit note"
        evidence["amount"] = "a credit note: nothing is owed on it"

    to = _addresses(msg, "To")
    buyer = merge.pick("client_name", lambda f: f.buyer)
    client = _clean(buyer, 200) if buyer else None
    if client is None and to and to[0][0]:
        client = _clean(to[0][0], 200)
        evidence["client_name"] = "To display name"
    if got.pdf is not None and got.pdf.problem:
        evidence["pdf"] = got.pdf.problem
    elif got.pdf is not None and not pdf_text and got.pdf.e_invoice is None:
        evidence["pdf"] = "no text layer (a scanned image?)"
    if "date_order" in got.text.notes and (issue or due):
        evidence["date_order"] = got.text.notes["date_order"]

    froms = {evidence.get(k, "") for k in ("number", "amount", "issue_date", "due_date")}
    source = (e.kind if e is not None and e.kind in froms
              else "pattern" if any(f.startswith("sender pattern") for f in froms)
              else "pdf-text")
    return Found(
        number=_clean(number, _MAX_NUMBER) if number else None, amount=amount,
        currency=currency, issue_date=issue, due_date=due, terms_days=terms,
        client_name=client, to=tuple(a for _, a in to),
        cc=tuple(a for _, a in _addresses(msg, "Cc")), message_id=_message_id(msg),
        pdf=got.pdf.data if got.pdf else None, pdf_name=got.pdf.name if got.pdf else None,
        source=source, evidence=evidence)
