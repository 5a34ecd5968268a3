"""Building a bot for a test: a config, a real SQLite file, invoices, a clock."""

from __future__ import annotations

import ssl
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fpdf import FPDF

from bot.config import Config, parse
from bot.imap import Mailbox
from bot.importer import InvoiceRow
from bot.simclock import SimulatedClock
from bot.smtp import SmtpTransport
from bot.wiring import Bot, build
from tests.support.dovecot import PASSWORD as IMAP_PASSWORD
from tests.support.smtpd import PASSWORD, USER, free_port


def config(tmp: Path, *, port: int = 25, security: str = "none", login: bool = False,
           **sections: dict[str, Any]) -> Config:
    data: dict[str, Any] = {
        "database": {"path": str(tmp / "arbot.db")},
        "company": {"name": "Example Ltd", "signature": "Sam, Accounts"},
        "mail": {"from_address": "accounts@example.com", "from_name": "Example Accounts",
                 "reply_to": "ar@example.com"},
        "smtp": {"host": "127.0.0.1", "port": port, "security": security,
                 **({"username": USER, "password_env": "TEST_SMTP_PASSWORD"} if login else {})},
        "clients": {"timezone": "Europe/London", "country": "GB", "currency": "EUR"},
    }
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return parse(data, environ={"TEST_SMTP_PASSWORD": PASSWORD,
                                "TEST_IMAP_PASSWORD": IMAP_PASSWORD, **SLACK_ENV})


#: The secrets of the test Slack app, as the environment would hold them.
SLACK_SIGNING_SECRET = "c3a1f7e09b2d4e6f8a0b1c2d3e4f5a6b"
SLACK_ENV = {"TEST_SLACK_BOT_TOKEN": "xoxb-test-bot-token", "TEST_SLACK_APP_TOKEN": "xapp-test-app-token",
             "TEST_SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET}


def slack(api_url: str, *, mode: str = "http", port: int = 0, **more: Any) -> dict[str, Any]:
    """A [slack] section for the test workspace: approvals in C0APPROVALS, decided by U0BOSS01
    and the members of the user group S0FINANCE."""
    return {"approvals_channel": "C0APPROVALS", "approvers": ["U0BOSS01", "S0FINANCE"], "mode": mode,
            "bot_token_env": "TEST_SLACK_BOT_TOKEN", "app_token_env": "TEST_SLACK_APP_TOKEN",
            "signing_secret_env": "TEST_SLACK_SIGNING_SECRET", "api_base_url": api_url,
            "http_port": port or free_port(), "digest_time": "", "timezone": "Europe/London", **more}


def imap(port: int, user: str, *, security: str = "tls", **more: Any) -> dict[str, Any]:
    """An [imap] section for a user of the test Dovecot."""
    return {"host": "127.0.0.1", "port": port, "security": security, "username": user,
            "password_env": "TEST_IMAP_PASSWORD", **more}


def bot(cfg: Config, clock: SimulatedClock, *, cafile: str | None = None) -> Bot:
    ctx = ssl.create_default_context(cafile=cafile) if cafile else None
    transport = SmtpTransport(cfg.smtp, ssl_context=ctx, sleep=clock.sleep)
    mailbox = Mailbox(cfg.imap, ssl_context=ctx, sleep=clock.sleep) if cfg.imap.enabled else None
    return build(cfg, clock=clock, sleep=clock.sleep, transport=transport, mailbox=mailbox)


def pdf(tmp: Path, number: str, pages: int = 1) -> Path:
    doc = FPDF()
    doc.set_font("helvetica", size=12)
    for p in range(pages):
        doc.add_page()
        doc.cell(text=f"Invoice {number} page {p + 1}")
    path = tmp / f"{number}.pdf"
    path.write_bytes(bytes(doc.output()))
    return path


def row(number: str, client: str, email: str, due: date, *, amount: str = "100.00",
        currency: str = "EUR", cc: tuple[str, ...] = (), pdf: Path | None = None,
        timezone: str | None = None, locale: str | None = None, country: str | None = None,
        message_id: str | None = None, line: int = 2, balance: str | None = None) -> InvoiceRow:
    return InvoiceRow(line=line, number=number, client=client, email=email, cc=cc,
                      amount=Decimal(amount), currency=currency,
                      issue_date=date.fromordinal(due.toordinal() - 30), due_date=due,
                      balance=Decimal(balance) if balance is not None else None, pdf=pdf,
                      timezone=timezone, locale=locale, country=country, message_id=message_id)


def at(s: str) -> datetime:
    return datetime.fromisoformat(s)
