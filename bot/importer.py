"""Reading invoices and payments from CSV exports (our own layout, QuickBooks, Xero).

Pure parsing: a file goes in, values come out. Nothing here touches the ledger, the network
or the clock; the only file-system access besides the CSV itself is checking that an
invoice's PDF exists and looks like a PDF.

Two kinds of failure:

* :class:`ImportFileError` -- the whole file is unusable (missing, not text, no header,
  a required column missing, dates whose day/month order cannot be told).
* :class:`RowError` -- one line is wrong. Good rows are still returned next to the errors.

Column names are matched loosely: case, surrounding spaces, a leading ``*`` (Xero marks
required columns so) and the separators space, ``_``, ``-`` and ``.`` are ignored, so
``Invoice Number``, ``invoice_number``, ``*InvoiceNumber`` and ``INVOICE-NUMBER`` are the
same column.

Everything that ends up in an email header (addresses, names, the Message-ID) is checked for
line breaks and control characters, so a crafted cell cannot add headers or recipients.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import babel
import holidays
from babel.numbers import get_currency_precision, list_currencies

__all__ = [
    "ImportFileError",
    "InvoiceRow",
    "PaymentRow",
    "RowError",
    "read_invoices",
    "read_payments",
]


# --------------------------------------------------------------------------- public values


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    line: int                 # 1-based line number in the file (header = line 1)
    number: str
    client: str
    email: str                # first address
    cc: tuple[str, ...]       # further addresses: the email column's extras, then the cc column
    amount: Decimal
    currency: str             # ISO 4217, upper-case
    issue_date: date
    due_date: date
    balance: Decimal | None   # None = equal to amount
    pdf: Path | None          # absolute; the file exists and starts like a PDF
    timezone: str | None      # IANA name
    locale: str | None        # normalised like "de_DE" / "en"
    country: str | None       # ISO 3166-1 alpha-2, upper-case
    message_id: str | None    # Message-ID of the original invoice email, with <>


@dataclass(frozen=True, slots=True)
class PaymentRow:
    line: int
    invoice_number: str
    amount: Decimal
    date: date
    reference: str | None


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    message: str


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why and what to do."""


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True, slots=True)
class _Column:
    name: str                   # canonical name, used in messages
    accepted: tuple[str, ...]   # header names that mean this column, best match first
    required: bool = False

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(_header_key(a) for a in self.accepted)


_NUMBER = _Column("invoice_number", (
    "invoice_number", "Invoice Number", "InvoiceNumber", "Invoice No", "Invoice #", "Num", "No."),
    required=True)

_INVOICE_COLUMNS = (
    _NUMBER,
    _Column("client", (
        "client", "client_name", "Customer", "Customer Name", "ContactName", "Name"),
        required=True),
    _Column("email", ("email", "EmailAddress", "Customer Email", "Bill Email"), required=True),
    _Column("amount", ("amount", "Total Amount", "Total"), required=True),
    # QuickBooks' "Balance" is a running total in some reports: "Open Balance" wins over it.
    _Column("balance", (
        "Open Balance", "AmountDue", "InvoiceAmountDue", "Balance Due", "balance")),
    _Column("currency", ("currency", "Currency Code")),
    _Column("issue_date", (
        "issue_date", "Invoice Date", "InvoiceDate", "Transaction Date", "Date"), required=True),
    _Column("due_date", ("due_date", "Due Date", "DueDate"), required=True),
    _Column("cc", ("cc",)),
    _Column("pdf", ("pdf", "pdf_path", "pdf_file")),
    _Column("timezone", ("timezone", "tz")),
    _Column("locale", ("locale",)),
    _Column("country", ("country", "country_code")),
    _Column("message_id", ("message_id",)),
)

_PAYMENT_COLUMNS = (
    _NUMBER,
    _Column("amount", ("amount", "Payment Amount", "Amount Paid"), required=True),
    _Column("date", ("date", "Payment Date", "Paid Date"), required=True),
    _Column("reference", ("reference", "Ref", "Ref No.", "Memo", "Memo/Description")),
)

_SEPARATORS = re.compile(r"[\s_.\-]+")


def _header_key(name: str) -> str:
    """``" *Invoice Number "`` -> ``"invoicenumber"``."""
    name = name.replace("\ufeff", "").strip().lstrip("*").strip()
    return _SEPARATORS.sub("", name).casefold()


def _match_columns(header: Sequence[str], columns: Sequence[_Column]
                   ) -> tuple[dict[str, int], list[str]]:
    """Column name -> index in ``header``, and the header names that appear twice."""
    keys = [_header_key(h) for h in header]
    found: dict[str, int] = {}
    twice: list[str] = []
    for col in columns:
        for key in col.keys:
            where = [i for i, k in enumerate(keys) if k == key]
            if where:
                found[col.name] = where[0]
                if len(where) > 1:
                    twice.append(header[where[0]].strip())
                break
    return found, twice


def _accepted(col: _Column) -> str:
    return ", ".join(col.accepted)


# --------------------------------------------------------------------------- reading the file

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError("file not found") from None
    except IsADirectoryError:
        raise ImportFileError("is a folder, not a CSV file") from None
    except OSError as e:
        raise ImportFileError(f"cannot read the file: {e.strerror or e}") from None
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError("looks like a spreadsheet workbook (.xlsx), not CSV: "
                              "save or export it as CSV (UTF-8) first")
    try:
        if data.startswith(codecs.BOM_UTF8):
            text = data[len(codecs.BOM_UTF8):].decode("utf-8")
        elif data.startswith(_UTF16_BOMS):
            text = data.decode("utf-16")
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError("is neither UTF-8 nor Windows-1252 (cp1252) text: "
                              "save it as CSV (UTF-8)") from None
    if text.count("\x00") > len(text) // 20:    # one stray NUL is a row's problem, not this
        raise ImportFileError("is mostly NUL bytes: not a CSV text file (UTF-16 without a "
                              "byte order mark?); save it as CSV (UTF-8)")
    return text


# (first line of the record, its cells); blank records are left out
_Record = tuple[int, list[str]]


def _records(text: str, delimiter: str) -> Iterator[_Record]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    end = 0
    try:
        for cells in reader:
            start, end = end + 1, reader.line_num
            if any(c.strip() for c in cells):
                yield start, cells
    except csv.Error as e:
        raise ImportFileError(f"line {end + 1}: not readable as CSV ({e})") from None


_HEADER_SEARCH = 10   # report titles (QuickBooks) may come before the header row


@dataclass(frozen=True, slots=True)
class _Table:
    header_line: int
    columns: dict[str, int]
    rows: list[_Record]


def _table(path: Path, columns: Sequence[_Column], required: Sequence[_Column]) -> _Table:
    text = _read_text(path)
    delimiters = [",", ";", "\t"]
    first, _, rest = text.partition("\n")
    sep = re.fullmatch(r"\s*sep=(.)\s*", first)     # Excel's "sep=;" line
    if sep:
        delimiters = [sep[1]]
        text = "\n" + rest                          # keep the line numbers
    need = [c.name for c in required]
    best: tuple[int, int, str, _Record] | None = None   # (-found, order, delimiter, record)
    for order, delimiter in enumerate(delimiters):
        records = _records(text, delimiter)
        for n, record in enumerate(records):
            if n >= _HEADER_SEARCH:
                break
            found, twice = _match_columns(record[1], columns)
            if all(name in found for name in need):
                if twice:
                    raise ImportFileError(
                        f"line {record[0]}: column {twice[0]!r} appears more than once")
                return _Table(record[0], found, list(records))
            rank = (-len(found), order * _HEADER_SEARCH + n, delimiter, record)
            if best is None or rank[:2] < best[:2]:
                best = rank
    if best is None:
        raise ImportFileError("the file is empty: expected a header row naming the columns")
    found, _ = _match_columns(best[3][1], columns)
    missing = [c for c in required if c.name not in found]
    lines = "; ".join(f"{c.name} (accepted names: {_accepted(c)})" for c in missing)
    if not found:
        raise ImportFileError(f"no header row found: line {best[3][0]} names none of the "
                              f"expected columns; a header needs {lines}")
    s = "s" if len(missing) > 1 else ""
    raise ImportFileError(f"line {best[3][0]}: missing column{s} {lines}")


# --------------------------------------------------------------------------- cells

_BREAKS = {"Cc", "Zl", "Zp"}   # control characters, line and paragraph separators


def _unsafe(value: str) -> bool:
    return any(unicodedata.category(ch) in _BREAKS for ch in value)


def _show(value: str) -> str:
    """A cell for an error message: quoted, escaped, not too long."""
    if len(value) > 60:
        value = value[:57] + "..."
    return repr(value)


class _Bad(Exception):
    """A value that cannot be used; the message is the whole RowError text."""


@dataclass(frozen=True, slots=True)
class _Cells:
    """One record seen through the column mapping."""

    line: int
    raw: dict[str, str]     # column name -> cell as found (mapped columns only)

    def get(self, name: str) -> str:
        return self.raw.get(name, "").strip()

    @staticmethod
    def of(record: _Record, columns: Mapping[str, int]) -> _Cells:
        line, cells = record
        return _Cells(line, {name: cells[i] if i < len(cells) else ""
                             for name, i in columns.items()})

    def problems(self, required: Sequence[str]) -> list[str]:
        unsafe = [f"{name} {_show(v)} contains a line break or control character"
                  for name, v in self.raw.items() if _unsafe(v)]
        if unsafe:
            return unsafe
        missing = [name for name in required if not self.get(name)]
        if missing:
            return [f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing"]
        return []


def _is_total_line(record: _Record, number_column: int) -> bool:
    """QuickBooks reports end with "TOTAL" (and "Total for ...") lines: not invoices."""
    cells = record[1]
    if number_column < len(cells) and cells[number_column].strip():
        return False
    first = next(c for c in cells if c.strip())
    return re.match(r"total\b", first.strip(), re.IGNORECASE) is not None


# --------------------------------------------------------------------------- amounts

_SPACES = str.maketrans(dict.fromkeys("\u00a0\u202f\u2007\u2008\u2009\u200a", " "))
_MINUS = "-\u2212\u2012\u2013"
_CORE = re.compile(r"[.,]?\d(?:[\d.,' \u2019]*\d)?")
_GROUPING = " '\u2019"   # besides . and ,: space, apostrophe (Swiss), right single quote
_EURO = "\u20ac"


@dataclass(frozen=True, slots=True)
class _Amount:
    text: str
    value: Decimal             # the reading to use unless ``ambiguous`` says otherwise
    mark: str | None           # "." or ",": which one this text shows is the decimal mark
    ambiguous: str | None      # "1,234": this mark may group thousands or start decimals
    currency: str | None       # ISO code written in the cell ("EUR 12.00", "12,00 €")

    def resolve(self, file_mark: str | None, currency: str | None) -> Decimal:
        """The value, deciding "1,234" / "1.234" by the file's decimal mark or currency."""
        if self.ambiguous is None:
            return self.value
        if file_mark is None and currency and _precision(currency) >= 3:
            raise _Bad(f"could be {self.value} or {self.value.scaleb(-3)}")
        if file_mark == self.ambiguous:
            return self.value.scaleb(-3)   # "1,234" -> 1.234: exactly three decimals
        return self.value


def _parse_amount(raw: str) -> _Amount:
    """Amount text -> value. Raises _Bad with a reason."""
    s = raw.translate(_SPACES).strip()
    m = _CORE.search(s)
    if not m:
        raise _Bad("has no digits")
    pre, core, post = s[:m.start()], m.group(), s[m.end():]
    if re.search(r"\d", post):
        raise _Bad("is not a single number")
    negative = 0
    if "(" in pre or ")" in post:
        if pre.count("(") != 1 or post.count(")") != 1 or ")" in pre or "(" in post:
            raise _Bad("has unbalanced brackets")
        negative += 1
        pre, post = pre.replace("(", ""), post.replace(")", "")
    for ch in _MINUS:
        negative += pre.count(ch) + post.count(ch)
        pre, post = pre.replace(ch, ""), post.replace(ch, "")
    if pre.count("+") > 1 or "+" in post:
        raise _Bad("has a stray +")
    pre = pre.replace("+", "")
    if negative > 1:
        raise _Bad("has more than one minus sign")
    codes = {_currency_marker(part) for part in (pre.strip(), post.strip()) if part.strip()}
    codes.discard(None)
    if len(codes) > 1:
        raise _Bad("names two currencies")
    code = codes.pop() if codes else None

    value, mark, ambiguous = _parse_number(core)
    if negative:
        value = -value
    return _Amount(raw, value, mark, ambiguous, code)


def _currency_marker(text: str) -> str | None:
    """ "EUR" -> "EUR", "\u20ac" -> "EUR", "$" / "US$" -> None; anything else is an error."""
    up = text.upper()
    if re.fullmatch(r"[A-Z]{3}", up) and up in _currencies():
        return up
    if text == _EURO:
        return "EUR"
    symbols = [ch for ch in text if unicodedata.category(ch) == "Sc"]
    rest = [ch for ch in text if unicodedata.category(ch) != "Sc"]
    if len(symbols) == 1 and len(rest) <= 3 and all(ch.isalpha() or ch == "." for ch in rest):
        return None
    raise _Bad(f"has {text!r} around the number, which is not a currency")


def _parse_number(core: str) -> tuple[Decimal, str | None, str | None]:
    """Digits with separators -> (value, decimal mark shown, ambiguous mark).

    With both . and , the last one is the decimal mark. One kind repeated groups thousands.
    A single one followed by exactly three digits ("1,234") is ambiguous: the value returned
    reads it as grouping and the caller decides.
    """
    other_grouping = any(ch in _GROUPING for ch in core)
    dots, commas = core.count("."), core.count(",")
    mark: str | None = None
    ambiguous: str | None = None
    if dots and commas:
        mark = "." if core.rfind(".") > core.rfind(",") else ","
        if core.count(mark) > 1 or other_grouping:
            raise _Bad("mixes separators")
        whole, frac = core.split(mark)
    elif dots + commas > 1:
        sep = "." if dots else ","
        mark = "," if sep == "." else "."
        whole, frac = core, ""
    elif dots + commas == 1:
        sep = "." if dots else ","
        whole, frac = core.split(sep)
        if (len(frac) == 3 and not other_grouping and whole.isdigit()
                and len(whole) <= 3 and not whole.startswith("0")):
            ambiguous = sep
            whole, frac = whole + sep + frac, ""
        else:
            mark = sep
    else:
        whole, frac = core, ""
    digits = _ungroup(whole)
    if not frac.isdigit() and frac:
        raise _Bad("has separators after the decimal mark")
    if len(digits) > 15:
        raise _Bad("is too large")
    try:
        value = Decimal(f"{digits or '0'}.{frac}" if frac else digits)
    except InvalidOperation:
        raise _Bad("is not a number") from None
    return value, mark, ambiguous


def _ungroup(whole: str) -> str:
    """ "1,234,567" / "1 234" / "12,34,567" (lakh) -> digits; odd grouping is an error."""
    if whole.isdigit() or not whole:
        return whole
    kinds = {ch for ch in whole if not ch.isdigit()}
    if len(kinds) != 1:
        raise _Bad("mixes separators")
    groups = whole.split(kinds.pop())
    sizes = [len(g) for g in groups]
    if not all(g.isdigit() for g in groups):
        raise _Bad("has misplaced separators")
    western = 1 <= sizes[0] <= 3 and all(n == 3 for n in sizes[1:])
    lakh = 1 <= sizes[0] <= 2 and sizes[-1] == 3 and all(n == 2 for n in sizes[1:-1])
    if not (western or lakh):
        raise _Bad("has misplaced thousands separators")
    return "".join(groups)


def _file_decimal_mark(values: Sequence[str]) -> str | None:
    """The decimal mark the file's unambiguous amounts use, if they agree on one."""
    marks = set()
    for v in values:
        try:
            mark = _parse_amount(v).mark
        except _Bad:
            continue
        if mark:
            marks.add(mark)
    return marks.pop() if len(marks) == 1 else None


@cache
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def _precision(currency: str) -> int:
    return int(get_currency_precision(currency))


# --------------------------------------------------------------------------- dates

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[AaPp][Mm])?)?"
_YEAR_FIRST = re.compile(rf"(\d{{4}})([-/.])(\d{{1,2}})\2(\d{{1,2}}){_TIME}")
_NUMERIC = re.compile(rf"(\d{{1,2}})([-/])(\d{{1,2}})\2(\d{{4}}|\d{{2}}){_TIME}")
_DOTTED = re.compile(rf"(\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}}|\d{{2}}){_TIME}")
_DAY_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[-\s]+([A-Za-z]+)\.?[-\s,]+(\d{4}|\d{2})")
_MONTH_DAY = re.compile(r"([A-Za-z]+)\.?[-\s]+(\d{1,2})(?:st|nd|rd|th)?,?[-\s]+(\d{4})")
_MONTHS = {name: n for n, names in enumerate((
    "jan january", "feb february", "mar march", "apr april", "may", "jun june",
    "jul july", "aug august", "sep sept september", "oct october", "nov november",
    "dec december"), start=1) for name in names.split()}

DMY, MDY = "DMY", "MDY"


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _parse_date(raw: str, order: str | None) -> date:
    """Date text -> date; ``order`` says how to read 03/04/2026. Raises _Bad."""
    s = raw.strip()
    found: date | None = None
    if m := _YEAR_FIRST.fullmatch(s):
        found = _make_date(int(m[1]), int(m[3]), int(m[4]))
    elif m := _NUMERIC.fullmatch(s):
        a, b = int(m[1]), int(m[3])
        day, month = (a, b) if order != MDY else (b, a)
        found = _make_date(_year(m[4]), month, day)
        if found is None and order:
            which = "day/month/year" if order == DMY else "month/day/year"
            raise _Bad(f"is not a date (this file's dates are read as {which}, {order})")
    elif m := _DOTTED.fullmatch(s):
        found = _make_date(_year(m[3]), int(m[2]), int(m[1]))
    elif (m := _DAY_MONTH.fullmatch(s)) and m[2].lower() in _MONTHS:
        found = _make_date(_year(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    elif (m := _MONTH_DAY.fullmatch(s)) and m[1].lower() in _MONTHS:
        found = _make_date(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
    if found is None:
        raise _Bad("is not a date")
    return found


def _date_order(rows: Sequence[_Cells], names: Sequence[str], given: str | None) -> str | None:
    """Day/month order for numeric dates like 03/04/2026, decided once for the whole file."""
    if given is not None:
        order = given.strip().upper()
        if order not in (DMY, MDY):
            raise ValueError(f"date_order must be 'DMY' or 'MDY', not {given!r}")
        return order
    day_first: tuple[int, str] | None = None
    month_first: tuple[int, str] | None = None
    unclear: tuple[int, str] | None = None
    for row in rows:
        for name in names:
            value = row.get(name)
            m = _NUMERIC.fullmatch(value)
            if not m or int(m[1]) == int(m[3]):
                continue
            a, b, y = int(m[1]), int(m[3]), _year(m[4])
            dmy, mdy = _make_date(y, b, a), _make_date(y, a, b)
            if dmy and not mdy:
                day_first = day_first or (row.line, value)
            elif mdy and not dmy:
                month_first = month_first or (row.line, value)
            elif dmy and mdy:
                unclear = unclear or (row.line, value)
    if day_first and month_first:
        raise ImportFileError(
            f"the dates mix day-first (line {day_first[0]}: {day_first[1]!r}) and month-first "
            f"(line {month_first[0]}: {month_first[1]!r}) order; correct the file, or choose "
            f"one with the --date-order option (DMY or MDY) and the other lines are rejected")
    if day_first:
        return DMY
    if month_first:
        return MDY
    if unclear:
        raise ImportFileError(
            f"cannot tell whether dates like {unclear[1]!r} (line {unclear[0]}) are "
            f"day/month/year or month/day/year: say which with the --date-order option "
            f"(--date-order DMY or --date-order MDY; or import.date_order in the config)")
    return None


# --------------------------------------------------------------------------- other values

_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TLD = re.compile(r"[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}")


def _address(text: str) -> str:
    """One plain address, checked strictly; an internationalised domain becomes punycode."""
    if any(ch in text for ch in '<>"()[]\\'):
        raise _Bad("is not a plain address (display names and brackets are not accepted)")
    if any(ch.isspace() for ch in text):
        raise _Bad("is not a valid address (it contains a space)")
    if text.count("@") != 1:
        raise _Bad("is not a valid address (it needs exactly one @)")
    local, domain = text.split("@")
    if not _LOCAL_PART.fullmatch(local) or len(local) > 64:
        raise _Bad("is not a valid address (the part before the @)")
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise _Bad("is not a valid address (the domain)") from None
    labels = domain.split(".")
    if (len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels)
            or not _TLD.fullmatch(labels[-1]) or len(domain) > 253):
        raise _Bad("is not a valid address (the domain after the @)")
    return f"{local}@{domain}"


def _addresses(text: str) -> list[str]:
    return [_address(part.strip()) for part in re.split(r"[,;]", text) if part.strip()]


def _currency(text: str) -> str:
    code = text.strip().upper()
    if code not in _currencies():
        raise _Bad("is not an ISO 4217 currency code (like EUR)")
    return code


def _pdf(text: str, folder: Path) -> Path:
    try:
        path = (folder / text).resolve()
        if not path.is_file():
            raise _Bad(f"is not there (looked for {path})")
        with path.open("rb") as f:
            head = f.read(1024)
    except (OSError, RuntimeError) as e:
        raise _Bad(f"cannot be read ({e})") from None
    if b"%PDF-" not in head:
        raise _Bad("is not a PDF file")
    return path


@cache
def _zone_names() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones()}


def _timezone(text: str) -> str:
    name = _zone_names().get(text.casefold())
    if name:
        return name
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise _Bad("is not an IANA time zone name (like Europe/Berlin)") from None
    return text


def _locale(text: str) -> str:
    try:
        return str(babel.Locale.parse(text.replace("-", "_")))
    except (ValueError, TypeError, babel.UnknownLocaleError):
        raise _Bad("is not a known locale (like en or de_DE)") from None


@cache
def _countries() -> frozenset[str]:
    return frozenset(str(c) for c in holidays.list_supported_countries() if len(c) == 2)


def _country(text: str) -> str:
    code = text.upper()
    code = "GB" if code == "UK" else code      # the common mistake for the United Kingdom
    if code not in _countries():
        raise _Bad("is not an ISO 3166 two-letter country code with a holiday calendar "
                   "(like DE)")
    return code


_MSG_ID = re.compile(r"<[!-;=?A-~]+@[!-;=?A-~]+>")


def _message_id(text: str) -> str:
    value = text if text.startswith("<") else f"<{text}>"
    if not _MSG_ID.fullmatch(value) or len(value) > 250:
        raise _Bad("is not a Message-ID (like <id@host>)")
    return value


# --------------------------------------------------------------------------- invoices

_T = TypeVar("_T")


@dataclass(slots=True)
class _Row:
    """Collects one row's values and problems, so every problem of a line is reported."""

    cells: _Cells
    errors: list[str]

    def value(self, name: str, parse: Callable[[str], _T]) -> _T | None:
        text = self.cells.get(name)
        if not text:
            return None
        try:
            return parse(text)
        except _Bad as e:
            self.errors.append(f"{name} {_show(text)} {e}")
            return None

    def fail(self, message: str) -> None:
        self.errors.append(message)


def read_invoices(path: Path, *, default_currency: str | None = None,
                  date_order: str | None = None) -> tuple[list[InvoiceRow], list[RowError]]:
    """Invoices from a CSV file, and the lines that could not be read.

    ``default_currency`` is used where the file has no currency (column or cell);
    ``date_order`` ("DMY" or "MDY") says how to read dates like 03/04/2026 and otherwise
    is worked out from the file. Repeated invoice numbers (Xero writes one line per line
    item) are merged when their invoice-level values agree.
    """
    required = [c for c in _INVOICE_COLUMNS
                if c.required or (c.name == "currency" and default_currency is None)]
    table = _table(path, _INVOICE_COLUMNS, required)
    number_column = table.columns["invoice_number"]
    rows = [_Cells.of(r, table.columns) for r in table.rows
            if not _is_total_line(r, number_column)]
    order = _date_order(rows, ("issue_date", "due_date"), date_order)
    mark = _file_decimal_mark([r.get(n) for r in rows for n in ("amount", "balance")])
    folder = path.absolute().parent

    invoices: dict[str, InvoiceRow] = {}
    errors: list[RowError] = []
    for cells in rows:
        row = _invoice(cells, order, mark, default_currency, folder)
        if isinstance(row, list):
            errors.extend(RowError(cells.line, m) for m in row)
            continue
        first = invoices.get(row.number)
        if first is None:
            invoices[row.number] = row
            continue
        differ = [f.name for f in fields(InvoiceRow)
                  if f.name != "line" and getattr(first, f.name) != getattr(row, f.name)]
        if differ:
            errors.append(RowError(cells.line, (
                f"invoice_number {_show(row.number)} is repeated from line {first.line} "
                f"with a different {', '.join(differ)}")))
    return list(invoices.values()), sorted(errors, key=lambda e: e.line)


def _invoice(cells: _Cells, order: str | None, mark: str | None, default_currency: str | None,
             folder: Path) -> InvoiceRow | list[str]:
    required = [c.name for c in _INVOICE_COLUMNS if c.required]
    problems = cells.problems(required)
    if problems:
        return problems
    row = _Row(cells, [])
    number, client = cells.get("invoice_number"), cells.get("client")

    emails = row.value("email", _addresses) or []
    cc = row.value("cc", _addresses) or []
    if not emails and not row.errors:
        row.fail(f"email {_show(cells.get('email'))} has no address")

    amount_text = row.value("amount", _parse_amount)
    balance_text = row.value("balance", _parse_amount)
    currency = row.value("currency", _currency)
    if currency is None and not cells.get("currency"):
        written = {a.currency for a in (amount_text, balance_text) if a and a.currency}
        if len(written) == 1:
            currency = written.pop()
        elif default_currency is None:
            row.fail("currency is missing")
        else:
            try:
                currency = _currency(default_currency)
            except _Bad as e:
                row.fail(f"the default currency {_show(default_currency)} {e}")
    amount = _money(row, "amount", amount_text, currency, mark)
    balance = _money(row, "balance", balance_text, currency, mark)
    if amount is not None and amount <= 0:
        row.fail(f"amount must be positive, not {_show(cells.get('amount'))}")
    if balance is not None and balance < 0:
        row.fail(f"balance {_show(cells.get('balance'))} must not be negative")
    elif balance is not None and amount is not None and balance > amount > 0:
        row.fail(f"balance {_show(cells.get('balance'))} is more than the amount "
                 f"{_show(cells.get('amount'))}")

    issue = row.value("issue_date", lambda s: _parse_date(s, order))
    due = row.value("due_date", lambda s: _parse_date(s, order))
    if issue is not None and due is not None and due < issue:
        row.fail(f"due_date {due.isoformat()} is before issue_date {issue.isoformat()}")

    pdf = row.value("pdf", lambda s: _pdf(s, folder))
    timezone = row.value("timezone", _timezone)
    locale = row.value("locale", _locale)
    country = row.value("country", _country)
    message_id = row.value("message_id", _message_id)

    if (row.errors or not emails or amount is None or currency is None or issue is None
            or due is None):
        return row.errors or ["cannot be read"]
    extra: list[str] = []
    seen = {emails[0].casefold()}
    for a in [*emails[1:], *cc]:
        if a.casefold() not in seen:
            seen.add(a.casefold())
            extra.append(a)
    return InvoiceRow(
        line=cells.line, number=number, client=client, email=emails[0], cc=tuple(extra),
        amount=amount, currency=currency, issue_date=issue, due_date=due, balance=balance,
        pdf=pdf, timezone=timezone, locale=locale, country=country, message_id=message_id)


def _money(row: _Row, name: str, parsed: _Amount | None, currency: str | None,
           mark: str | None) -> Decimal | None:
    """An invoice amount in ``currency``: checked against it and rounded to its decimals."""
    if parsed is None:
        return None
    text = _show(parsed.text)
    if currency and parsed.currency and parsed.currency != currency:
        row.fail(f"{name} {text} is in {parsed.currency}, but the currency is {currency}")
        return None
    try:
        value = parsed.resolve(mark, currency)
    except _Bad as e:
        row.fail(f"{name} {text} is ambiguous: {e}; write it with a decimal mark, like 1234.000")
        return None
    if currency is None:
        return None
    places = _precision(currency)
    exact = Decimal(1).scaleb(-places)
    if value != value.quantize(exact):
        row.fail(f"{name} {text} has more decimal places than {currency} allows ({places})")
        return None
    return value.quantize(exact)


# --------------------------------------------------------------------------- payments


def read_payments(path: Path, *, date_order: str | None = None
                  ) -> tuple[list[PaymentRow], list[RowError]]:
    """Payments from a CSV file, and the lines that could not be read."""
    required = [c for c in _PAYMENT_COLUMNS if c.required]
    table = _table(path, _PAYMENT_COLUMNS, required)
    number_column = table.columns["invoice_number"]
    rows = [_Cells.of(r, table.columns) for r in table.rows
            if not _is_total_line(r, number_column)]
    order = _date_order(rows, ("date",), date_order)
    mark = _file_decimal_mark([r.get("amount") for r in rows])

    payments: list[PaymentRow] = []
    errors: list[RowError] = []
    for cells in rows:
        problems = cells.problems([c.name for c in required])
        if problems:
            errors.extend(RowError(cells.line, m) for m in problems)
            continue
        row = _Row(cells, [])
        parsed = row.value("amount", _parse_amount)
        amount = None
        if parsed is not None:
            amount = parsed.resolve(mark, None)
            if amount <= 0:
                row.fail(f"amount must be positive, not {_show(parsed.text)}")
        when = row.value("date", lambda s: _parse_date(s, order))
        if row.errors or amount is None or when is None:
            errors.extend(RowError(cells.line, m) for m in row.errors)
            continue
        payments.append(PaymentRow(cells.line, cells.get("invoice_number"), amount, when,
                                   cells.get("reference") or None))
    return payments, errors
