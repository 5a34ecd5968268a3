"""Message templates: the subject, text and HTML of every email the bot sends to a client.

Templates live in one folder per locale (``templates/messages/en/reminder.txt``...) and are
rendered by a sandboxed Jinja environment: an admin edits wording, never code. Every failure,
from a typo in a tag to a variable that does not exist, becomes a ``TemplateError`` naming the
file and line, so ``arbot templates check`` can report it before a client would have noticed.

``templates/messages/README.md`` is the admin's guide to the folder, the variables and filters.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any

import babel
import babel.dates
import babel.numbers
from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    pass_context,
    pass_eval_context,
)
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from bot.core.model import Client, Invoice

#: The locale every lookup falls back to last.
DEFAULT_LOCALE = "en"

#: The three files of one message, by the suffix after its name.
PARTS = ("subject.txt", "txt", "html")

#: Values beyond the invoices that some messages need (see ``message_context``'s ``extra``).
EXTRAS: dict[str, tuple[str, ...]] = {
    "promise_missed": ("promise_date",),
    "payment_thanks": ("payment",),
    "stop_service": ("stop_date",),
    "collections": ("handoff_date",),
}

_MESSAGE_FILE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9_-]*)\.(?:subject\.txt|txt|html)$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_LOCALE = re.compile(r"^[A-Za-z]{2,8}(?:[_-][A-Za-z0-9]{1,8})*$")
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


class TemplateError(Exception):
    """A template failed to load or render.

    ``name`` is the message (``reminder``), ``path`` the file at fault (which may be a partial
    such as ``_layout.html``), ``line`` its line number when known and ``reason`` what went
    wrong. ``str(e)`` reads ``path:line: reason``, the way compilers report.
    """

    def __init__(self, name: str, path: str, line: int | None, reason: str) -> None:
        super().__init__(name, path, line, reason)
        self.name = name
        self.path = path
        self.line = line
        self.reason = reason

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.reason}"
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str  # one line: all whitespace (CR and LF included) collapsed to single spaces
    text: str
    html: str
    locale: str  # the locale folder whose files were used


def default_directory() -> Path:
    """The packaged default templates (``templates/messages`` in the repository).

    ``importlib.resources.files("arbot_templates") / "messages"``; when that is not one plain
    folder (an editable install, where ``arbot_templates`` is a namespace package spread over
    several paths), the first of the package's folders that actually holds locale folders.
    """
    candidates: list[Path] = []
    try:
        packaged = resources.files("arbot_templates") / "messages"
        if isinstance(packaged, Path):
            candidates.append(packaged)
    except (ImportError, OSError, TypeError, ValueError):
        pass
    try:
        spec = importlib.util.find_spec("arbot_templates")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations is not None:
        candidates.extend(Path(p) / "messages" for p in spec.submodule_search_locations)
    candidates.append(Path(__file__).resolve().parent.parent / "templates" / "messages")
    for c in candidates:
        if c.is_dir() and any(child.is_dir() for child in c.iterdir()):
            return c
    return candidates[0]


# -- formatting ---------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _babel_locale(locale: str) -> babel.Locale:
    """``locale`` as babel knows it; an unknown one falls back to its language, then English,
    so that an odd locale in the client list never stops a message from going out."""
    name = locale.replace("-", "_")
    for candidate in (name, name.split("_")[0], DEFAULT_LOCALE):
        try:
            return babel.Locale.parse(candidate)
        except (ValueError, TypeError, babel.UnknownLocaleError):
            continue
    return babel.Locale.parse(DEFAULT_LOCALE)  # pragma: no cover - English always exists


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """``Decimal("1234.56"), "EUR", "de"`` -> ``"1.234,56\\xa0€"`` (babel's own spacing: a
    no-break space keeps the amount and its symbol on one line)."""
    return babel.numbers.format_currency(amount, currency, locale=_babel_locale(locale))


def format_date(value: date, locale: str) -> str:
    """``date(2025, 3, 14), "de"`` -> ``"14. März 2025"``."""
    return babel.dates.format_date(value, format="long", locale=_babel_locale(locale))


def _template_locale(context: Context) -> str:
    value = context.get("locale")
    return value if isinstance(value, str) and value else DEFAULT_LOCALE


@pass_context
def _money_filter(context: Context, amount: Any, currency: str) -> str:
    """``{{ inv.balance_value|money(inv.currency) }}``"""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int | float | str):
        raise TypeError(f"money: expected a number, got {amount!r}")
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise TypeError(f"money: expected a number, got {amount!r} (use the *_value variables, "
                        f"the others are already formatted)") from None
    return format_money(value, str(currency), _template_locale(context))


@pass_context
def _date_filter(context: Context, value: Any, format: str = "long") -> str:
    """``{{ some_date|date }}`` or ``|date("short")``; a string is already formatted and
    passes through unchanged."""
    if isinstance(value, str):
        return value
    if not isinstance(value, date):
        raise TypeError(f"date: expected a date, got {value!r}")
    return babel.dates.format_date(value, format=format,
                                   locale=_babel_locale(_template_locale(context)))


@pass_eval_context
def _nl2br_filter(eval_ctx: EvalContext, value: Any) -> str:
    """Multi-line text (a signature, bank details) as HTML lines; unchanged in text files."""
    text = str(value)
    if not eval_ctx.autoescape:
        return text
    return Markup("<br>\n").join(escape(line) for line in text.splitlines())


# -- the environment ----------------------------------------------------------------------------


def _locale_chain(locale: str) -> list[str]:
    """``de_AT`` -> ``["de_AT", "de", "en"]``."""
    parts = locale.replace("-", "_").split("_")
    chain = ["_".join(parts[:n]) for n in range(len(parts), 0, -1)] + [DEFAULT_LOCALE]
    return list(dict.fromkeys(chain))


#: The locale folder of the message being rendered, for resolving its partials.
_MESSAGE_FOLDER: ContextVar[str | None] = ContextVar("message_folder", default=None)


class _Environment(SandboxedEnvironment):
    """Resolves ``{% include "_signature.txt" %}``, ``{% extends "_layout.html" %}`` and
    ``{% from "_macros.txt" import ... %}`` in the folder of the message being rendered,
    falling back along its locale chain (``de_AT``, ``de``, ``en``). The chain is the
    message's, not the including file's: a German message using the shared English layout
    still gets the German ``_signature.html`` that layout includes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        super().__init__(
            loader=FileSystemLoader(str(root), encoding="utf-8"),
            undefined=StrictUndefined,
            autoescape=lambda name: name is not None and name.endswith(".html"),
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.filters["money"] = _money_filter
        self.filters["date"] = _date_filter
        self.filters["nl2br"] = _nl2br_filter

    def join_path(self, template: str, parent: str) -> str:
        if "/" in template or "/" not in parent:
            return template
        folder = _MESSAGE_FOLDER.get() or parent.split("/", 1)[0]
        for loc in _locale_chain(folder):
            if (self.root / loc / template).is_file():
                return f"{loc}/{template}"
        return f"{folder}/{template}"


class MessageTemplates:
    """The message templates of one folder: ``<directory>/<locale>/<name>.<part>``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._root = directory.resolve()
        self._env = _Environment(self._root)

    # -- what is there

    def locales(self) -> list[str]:
        if not self._root.is_dir():
            return []
        return sorted(p.name for p in self._root.iterdir()
                      if p.is_dir() and not p.name.startswith((".", "_")))

    def _names_in(self, locale: str) -> set[str]:
        folder = self._root / locale
        if not folder.is_dir():
            return set()
        return {m["name"] for p in folder.iterdir()
                if p.is_file() and (m := _MESSAGE_FILE.match(p.name))}

    def names(self) -> list[str]:
        """Every message name found in any locale; partials (``_*``) are not messages."""
        names: set[str] = set()
        for loc in self.locales():
            names |= self._names_in(loc)
        return sorted(names)

    def resolve_locale(self, name: str, locale: str) -> str:
        """The locale folder to use for message ``name``: ``de_AT``, else ``de``, else ``en``.

        A locale counts as having the message when any of the message's files is there; a
        missing sibling file is then reported by ``render`` rather than silently mixed in
        from another language."""
        if not _NAME.match(name):
            raise TemplateError(name, str(self.directory), None,
                                f"{name!r} is not a message name (letters, digits, _ and -)")
        if not _LOCALE.match(locale):
            locale = DEFAULT_LOCALE
        present = {loc.lower(): loc for loc in self.locales()}
        chain = _locale_chain(locale)
        for candidate in chain:
            folder = present.get(candidate.lower())
            if folder is not None and name in self._names_in(folder):
                return folder
        raise TemplateError(name, str(self.directory), None,
                            f"no message {name!r} for locale {locale!r} (looked in "
                            f"{', '.join(chain)})")

    # -- rendering

    def render(self, name: str, locale: str, context: Mapping[str, Any]) -> Rendered:
        """Render message ``name`` for a client whose locale is ``locale``.

        The files come from ``resolve_locale``; the ``money`` and ``date`` filters format for
        ``locale`` itself (a ``de_AT`` client gets Austrian formats from ``de`` wording)."""
        folder = self.resolve_locale(name, locale)
        wanted = locale.replace("-", "_") if _LOCALE.match(locale) else folder
        return self._render_in(name, folder, wanted, context)

    def _render_in(self, name: str, folder: str, locale: str, context: Mapping[str, Any],
                   problems: list[TemplateError] | None = None) -> Rendered:
        """Render the three parts from ``folder``. With ``problems`` given, every part is
        tried and each failure collected there; otherwise the first failure raises."""
        values = {**context, "locale": locale}
        out: dict[str, str] = {}
        token = _MESSAGE_FOLDER.set(folder)
        try:
            for part in PARTS:
                try:
                    out[part] = self._render_part(name, folder, part, values)
                except TemplateError as e:
                    if problems is None:
                        raise
                    problems.append(e)
                    out[part] = "-"
        finally:
            _MESSAGE_FOLDER.reset(token)
        subject = " ".join(out["subject.txt"].split())
        text = _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("\n", out["txt"])).strip() + "\n"
        html = out["html"].strip() + "\n"
        for part, value in (("subject.txt", subject), ("txt", text), ("html", html)):
            if not value.strip():
                empty = TemplateError(name, self._path(f"{folder}/{name}.{part}"), None,
                                      "renders to nothing")
                if problems is None:
                    raise empty
                problems.append(empty)
        return Rendered(subject=subject, text=text, html=html, locale=folder)

    def _path(self, template: str) -> str:
        return str(self._root.joinpath(*template.split("/")))

    def _render_part(self, name: str, folder: str, part: str, values: dict[str, Any]) -> str:
        template = f"{folder}/{name}.{part}"
        try:
            return self._env.get_template(template).render(values)
        except TemplateSyntaxError as e:
            path = e.filename or self._path(e.name or template)
            raise TemplateError(name, path, e.lineno, e.message or "syntax error") from e
        except Exception as e:
            found, line = self._locate(e.__traceback__)
            path = found or self._path(template)
            if isinstance(e, TemplateNotFound):
                missing = e.name if isinstance(e.name, str) else template
                reason = f"file not found: {self._path(missing)}"
            elif isinstance(e, UndefinedError | JinjaTemplateError):
                reason = e.message or type(e).__name__
            else:
                reason = f"{type(e).__name__}: {e}"
            raise TemplateError(name, path, line, reason) from e

    def _locate(self, tb: TracebackType | None) -> tuple[str | None, int | None]:
        """The innermost template file and line in a traceback (Jinja rewrites tracebacks
        so that template code shows up under the template's own file name and line)."""
        prefix = str(self._root) + os.sep
        found: tuple[str | None, int | None] = (None, None)
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename.startswith(prefix):
                found = (filename, tb.tb_lineno)
            tb = tb.tb_next
        return found

    # -- checking

    def check(self) -> list[TemplateError]:
        """Render every message in every locale folder with sample data; parse every partial.

        Returns the problems (each naming file and line), one per distinct problem."""
        if not self._root.is_dir():
            return [TemplateError("", str(self.directory), None, "not a folder")]
        problems: dict[tuple[str, int | None, str], TemplateError] = {}
        for loc in self.locales():
            for name in sorted(self._names_in(loc)):
                found: list[TemplateError] = []
                self._render_in(name, loc, loc, sample_context(loc, name), found)
                for e in found:
                    problems.setdefault((e.path, e.line, e.reason), e)
            for partial in sorted((self._root / loc).glob("_*")):
                if not partial.is_file() or partial.suffix not in (".txt", ".html"):
                    continue
                try:
                    self._env.get_template(f"{loc}/{partial.name}")
                except TemplateSyntaxError as e:
                    e_path = e.filename or str(partial)
                    err = TemplateError(partial.name, e_path, e.lineno, e.message or "syntax error")
                    problems.setdefault((err.path, err.line, err.reason), err)
        return list(problems.values())


# -- context ------------------------------------------------------------------------------------

COMPANY_KEYS = ("name", "email", "phone", "website", "signature", "payment_details")


def message_context(*, company: Mapping[str, str], client: Client, invoices: Sequence[Invoice],
                    today: date, locale: str,
                    extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The variables a message template sees (documented in templates/messages/README.md).

    Amounts and dates arrive formatted for ``locale``; invoices are listed oldest due date
    first. ``extra`` (already formatted by the caller) is merged in last."""
    ordered = sorted(invoices, key=lambda i: (i.due_date, i.number))
    totals: dict[str, Decimal] = {}
    for inv in ordered:
        totals[inv.currency] = totals.get(inv.currency, Decimal(0)) + inv.balance
    ctx: dict[str, Any] = {
        "company": {**{k: "" for k in COMPANY_KEYS},
                    **{k: str(v) for k, v in company.items()}},
        "client": {"name": client.name, "email": client.email},
        "invoices": [
            {
                "number": inv.number,
                "amount": format_money(inv.amount, inv.currency, locale),
                "balance": format_money(inv.balance, inv.currency, locale),
                "currency": inv.currency,
                "issue_date": format_date(inv.issue_date, locale),
                "due_date": format_date(inv.due_date, locale),
                "days_overdue": (today - inv.due_date).days,
                "amount_value": inv.amount,
                "balance_value": inv.balance,
            }
            for inv in ordered
        ],
        "total_due": " + ".join(format_money(v, c, locale) for c, v in totals.items()),
        "count": len(ordered),
        "today": format_date(today, locale),
        "locale": locale.replace("-", "_"),
    }
    ctx.update(extra or {})
    return ctx


#: Sample "today" per message, in days after the later sample invoice's due date.
_SAMPLE_DAY = {"courtesy": -3, "reminder": 3, "firm": 14, "final_notice": 30,
               "stop_service": 45, "collections": 60, "promise_missed": 17,
               "payment_thanks": 6, "invoice_copy": 6, "payment_not_received": 8}


def sample_context(locale: str, name: str = "reminder") -> dict[str, Any]:
    """Realistic data for previews and ``check()``: one client, two invoices (the second
    partly paid), ``today`` where message ``name`` would typically go out, and exactly the
    extras ``name`` gets in real use (so a template using another message's extra fails)."""
    german = locale.lower().startswith("de")
    due = date(2025, 3, 14)
    today = due + timedelta(days=_SAMPLE_DAY.get(name, 3))
    company = {
        "name": "Brightwater Studio",
        "email": "accounts@brightwater.example",
        "phone": "+44 20 7946 0321",
        "website": "https://brightwater.example",
        "signature": "Sam Carter\nForderungsmanagement" if german else "Sam Carter\nCredit Control",
        "payment_details": (
            "Überweisung an Brightwater Studio\nIBAN DE89 3704 0044 0532 0130 00\n"
            "BIC COBADEFFXXX\nVerwendungszweck: Rechnungsnummer"
            if german else
            "Bank transfer to Brightwater Studio\nIBAN GB33 BUKB 2020 1555 5555 55\n"
            "BIC BUKBGB22\nReference: the invoice number"),
    }
    client = Client(id="sample", name="Nordlicht Design GmbH" if german else "Harbour & Finch Ltd",
                    email="accounts@client.example", locale=locale)
    thanks = name == "payment_thanks"
    invoices = [
        Invoice(number="INV-2025-0142", client_id=client.id, amount=Decimal("1234.56"),
                balance=Decimal("0.00") if thanks else Decimal("1234.56"), currency="EUR",
                issue_date=date(2025, 2, 10), due_date=due - timedelta(days=2)),
        Invoice(number="INV-2025-0157", client_id=client.id, amount=Decimal("980.00"),
                balance=Decimal("480.00"), currency="EUR",
                issue_date=date(2025, 2, 12), due_date=due),
    ]
    available: dict[str, Any] = {
        "promise_date": format_date(today - timedelta(days=3), locale),
        "payment": {"amount": format_money(Decimal("1234.56"), "EUR", locale),
                    "date": format_date(today, locale),
                    "remaining": format_money(Decimal("480.00"), "EUR", locale)},
        "stop_date": format_date(today + timedelta(days=7), locale),
        "handoff_date": format_date(today + timedelta(days=14), locale),
    }
    extra = {k: available[k] for k in EXTRAS.get(name, ())}
    return message_context(company=company, client=client, invoices=invoices, today=today,
                           locale=locale, extra=extra)
