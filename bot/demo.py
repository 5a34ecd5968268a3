"""``arbot demo``: the whole bot on sample data, with nothing configured.

A local SMTP server (aiosmtpd) runs in this process on loopback; a sample ledger with
sample invoice PDFs is imported through the real CSV importer; the real loop (planner,
outbox, SMTP transport) runs over simulated days; a simulated finance team approves or
rejects escalations and records payments. Every email that arrives is kept as an .eml file.
"""

from __future__ import annotations

import csv
import email
import email.policy
import shlex
import socket
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from fpdf import FPDF

from bot import importer
from bot.config import parse
from bot.core import calendar
from bot.simclock import SimulatedClock

START = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


def _command() -> str:
    """How this program was started, to show commands the user can paste as they are."""
    name = Path(sys.argv[0]).name
    return shlex.quote(sys.argv[0]) if name == "arbot" else "python -m bot"


@dataclass
class _Capture:
    """aiosmtpd handler: writes each message to the output folder."""

    folder: Path
    clock: SimulatedClock
    received: list[tuple[datetime, list[str], email.message.EmailMessage, Path]] = \
        field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            n = len(self.received) + 1
            to = str(envelope.rcpt_tos[0]).split("@")[0]
            path = self.folder / f"{n:03d}-{self.clock.now:%Y-%m-%d}-{to}.eml"
            path.write_bytes(envelope.content)
            self.received.append((self.clock.now, list(envelope.rcpt_tos), msg, path))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# (number, client, email, amount, currency, issue offset, due offset, tz, locale, country, pdf?)
_SAMPLE = [
    ("INV-1001", "Northwind Traders", "ap@northwind.example", "1250.00", "GBP", -40, -10,
     "Europe/London", "en_GB", "GB", True),
    ("INV-1002", "Northwind Traders", "ap@northwind.example", "480.00", "GBP", -20, 2,
     "Europe/London", "en_GB", "GB", True),
    ("INV-1003", "Müller & Söhne GmbH", "buchhaltung@mueller.example", "3400.00", "EUR", -45,
     -15, "Europe/Berlin", "de_DE", "DE", True),
    ("INV-1004", "Müller & Söhne GmbH", "buchhaltung@mueller.example", "920.50", "EUR", -5, 25,
     "Europe/Berlin", "de_DE", "DE", True),
    ("INV-1005", "Bluebird Design LLC", "billing@bluebird.example", "2100.00", "USD", -60, -30,
     "America/New_York", "en_US", "US", True),
    ("INV-1006", "Harbour Cafe", "owner@harbourcafe.example", "310.00", "AUD", -28, 2,
     "Australia/Sydney", "en_AU", "AU", False),
    ("INV-1007", "Alpenblick Hotel AG", "finanzen@alpenblick.example", "5600.00", "CHF", -35, -5,
     "Europe/Zurich", "de_CH", "CH", True),
    ("INV-1008", "Kite & Key Ltd", "accounts@kitekey.example", "760.00", "GBP", -10, 20,
     "Europe/London", "en_GB", "GB", True),
    ("INV-1009", "Oak Street Dental", "office@oakdental.example", "1480.00", "USD", -33, -3,
     "America/Chicago", "en_US", "US", True),
]

# what the simulated finance team does: day -> actions
_PAYMENTS = {
    12: [("INV-1008", "760.00")],           # pays in full before any reminder is due
    20: [("INV-1003", "1400.00")],          # a partial payment: reminders continue on the rest
}
_REJECT_TIERS = {"collections"}             # the team never hands anyone to collections here
_PAUSE = {16: "Harbour Cafe"}               # a person called the client: pause their reminders


def sample_pdf(number: str, client: str, amount: str, currency: str, issue: date,
               due: date) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 20)
    pdf.cell(0, 12, "Example Ltd", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    pdf.cell(0, 6, "1 Demo Street, Sampletown", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("helvetica", "B", 14)
    pdf.cell(0, 8, f"Invoice {number}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    safe = client.encode("latin-1", "replace").decode("latin-1")
    for line in (f"Bill to: {safe}", f"Invoice date: {issue.isoformat()}",
                 f"Due date: {due.isoformat()}", "", "Consulting services",
                 f"Total: {amount} {currency}"):
        pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _write_ledger(folder: Path, today: date) -> Path:
    pdfs = folder / "pdf"
    pdfs.mkdir(parents=True, exist_ok=True)
    path = folder / "invoices.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["invoice_number", "client", "email", "amount", "currency", "issue_date",
                    "due_date", "pdf", "timezone", "locale", "country", "message_id"])
        for (num, client, addr, amount, cur, io, do, tz, loc, country, has_pdf) in _SAMPLE:
            issue, due = today + timedelta(days=io), today + timedelta(days=do)
            pdf = ""
            if has_pdf:
                (pdfs / f"{num}.pdf").write_bytes(sample_pdf(num, client, amount, cur, issue, due))
                pdf = f"pdf/{num}.pdf"
            w.writerow([num, client, addr, amount, cur, issue.isoformat(), due.isoformat(), pdf,
                        tz, loc, country, f"<{num.lower()}@billing.example.com>"])
    return path


def run_demo(days: int = 60, out: Path | None = None) -> int:
    from bot.wiring import build

    out = out or Path(tempfile.mkdtemp(prefix="arbot-demo-"))
    out.mkdir(parents=True, exist_ok=True)
    sent_dir = out / "sent"
    sent_dir.mkdir(exist_ok=True)
    clock = SimulatedClock(START)
    capture = _Capture(sent_dir, clock)
    port = _free_port()
    server = Controller(capture, hostname="127.0.0.1", port=port)
    server.start()
    try:
        return _run(days, out, clock, capture, port, build)
    finally:
        server.stop()


def _run(days: int, out: Path, clock: SimulatedClock, capture: _Capture, port: int,
         build: Any) -> int:
    config = parse({
        "database": {"path": str(out / "arbot.db")},
        "company": {"name": "Example Ltd", "phone": "+44 20 7946 0000",
                    "website": "https://example.com", "signature": "Sam Taylor, Accounts",
                    "payment_details": "Bank transfer to Example Ltd, IBAN GB00 DEMO 0000 0000 00"},
        "mail": {"from_address": "accounts@example.com", "from_name": "Example Ltd Accounts",
                 "reply_to": "accounts@example.com"},
        "smtp": {"host": "127.0.0.1", "port": port, "security": "none"},
        "clients": {"timezone": "Europe/London", "country": "GB", "currency": "GBP"},
    }, path=None)
    if config.database_path.exists():
        config.database_path.unlink()
    bot = build(config, clock=clock, sleep=clock.sleep)
    ledger = bot.ledger
    today = START.date()
    csv_path = _write_ledger(out / "ledger", today)
    rows, errors = importer.read_invoices(csv_path)
    assert not errors, errors
    ledger.import_invoices(rows, clock())

    print(f"arbot demo: {len(rows)} sample invoices for {len({r.client for r in rows})} clients, "
          f"{days} simulated days from {today.isoformat()}")
    print(f"SMTP server on 127.0.0.1:{port} (in this process); ladder: " + ", ".join(
        f"{t.name} {t.offset_days:+d}d" + (" [approval]" if t.approval else "")
        for t in config.policy.ladder.tiers))
    print()
    lines: list[tuple[datetime, str]] = []
    seen_events = 0
    end = START + timedelta(days=days)
    while clock.now < end:
        day = (clock.now.date() - today).days
        if clock.now.hour == 10:  # the finance team looks at things at 10:00 UTC
            for num, amount in _PAYMENTS.get(day, []):
                ledger.record_payment(num, Decimal(amount), clock.now.date(), clock.now,
                                      key=f"demo:{num}:{day}", source="bank", actor="finance")
            if day in _PAUSE:
                c = ledger.find_client(_PAUSE[day])
                assert c is not None
                ledger.set_paused(now=clock.now, actor="finance", paused=True, client_id=c.id)
            for a in ledger.approvals("pending"):
                waited = clock.now - datetime.fromisoformat(a["requested_at"])
                if waited >= timedelta(hours=20):
                    ledger.decide(a["id"], approve=a["tier"] not in _REJECT_TIERS,
                                  actor="finance (Alex)", now=clock.now,
                                  note=None if a["tier"] not in _REJECT_TIERS
                                  else "we will call them instead")
        bot.loop.run_pass()
        for e in ledger.history(limit=100_000)[seen_events:]:
            lines.append((datetime.fromisoformat(e["at"]), _describe(e, ledger)))
        seen_events = len(ledger.history(limit=100_000))
        clock.now = clock.now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)

    for t, text in lines:
        if text:
            print(f"{t:%Y-%m-%d %H:%M} UTC  {text}")
    pending = ledger.approvals("pending")
    print()
    print(f"{len(capture.received)} emails arrived at the local SMTP server; "
          f"{len(pending)} approval request(s) still waiting at the end.")
    for a in pending:
        print(f"  waiting: #{a['id']} {a['tier']} for {', '.join(a['invoices'])} ({a['reason']})")
    print(f"\nThe sent messages are in {capture.folder}/ (open any .eml in a mail program).")
    cfg = shlex.quote(str(out / "demo.toml"))
    print(f"The demo's database is {config.database_path}; look around it with:\n"
          f"  {_command()} --config {cfg} status --now {clock.now:%Y-%m-%dT%H:%M}Z\n"
          f"  {_command()} --config {cfg} history INV-1001")
    (out / "demo.toml").write_text(
        f'[database]\npath = "{config.database_path}"\n\n[mail]\n'
        f'from_address = "accounts@example.com"\n\n[smtp]\nhost = "127.0.0.1"\nport = {port}\n'
        f'security = "none"\n\n[clients]\ntimezone = "Europe/London"\ncountry = "GB"\n'
        f'currency = "GBP"\n', encoding="utf-8")
    bot.close()
    return 0


def _describe(e: dict[str, Any], ledger: Any) -> str:
    d = e["detail"]
    inv = e["invoice"]
    who = ""
    if e["client_id"]:
        c = ledger.client(e["client_id"])
        who = c.name if c else e["client_id"]
        if c:
            t = calendar.local(datetime.fromisoformat(e["at"]), c.timezone)
            who += f" [{t:%a %H:%M} local]"
    k = e["kind"]
    if k == "reminder_sent":
        return f"sent      {d['tier']:<13} {inv}  to {who}"
    if k == "approval_requested":
        return f"approval? {d['tier']:<13} {inv}  {who}: waits for a person (#{d['approval']})"
    if k.startswith("approval_"):
        note = f" ({d['note']})" if d.get("note") else ""
        return f"{k[9:]:<9} {d['tier']:<13} {inv}  by {e['actor']}{note}"
    if k == "payment":
        return f"payment   {d['amount']:<13} {inv}  balance now {d['balance']}"
    if k == "paused":
        return f"paused    {'':<13} {'':<8}  {who}: a person is talking to the client"
    if k == "tiers_skipped":
        return f"skipped   {','.join(d['tiers']):<13} {inv}  (a higher tier was already due)"
    if k == "reminder_withdrawn":
        return f"withdrawn {d['tier']:<13} {inv}  re-check before sending: {d['reason']}"
    if k in ("reminder_failed", "reminder_unknown"):
        return f"{k[9:]:<9} {d['tier']:<13} {inv}  {d.get('error', '')}"
    return ""
