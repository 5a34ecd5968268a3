"""``arbot demo``: the whole bot on sample data, with nothing configured.

A local SMTP server (aiosmtpd) and a local IMAP server (pymap, in memory) run in this
process on loopback. A sample ledger with sample invoice PDFs is imported through the real
CSV importer, and more invoice emails wait in the mailbox's Sent folder to be discovered;
the real loop (mailbox intake, planner, outbox, SMTP transport) runs over simulated days,
while clients' replies arrive in the inbox and a simulated finance team approves or rejects
escalations and records payments. Every email that arrives is kept as an .eml file.
"""

from __future__ import annotations

import asyncio
import csv
import email
import email.message
import email.policy
import email.utils
import shlex
import socket
import sys
import tempfile
import threading
from argparse import Namespace
from contextlib import AsyncExitStack
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
from bot.core.compose import mask
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


class _Mailbox:
    """An IMAP server in this process: pymap's in-memory backend on its own event loop."""

    USER, PASSWORD = "accounts@example.com", "demo"

    def __init__(self) -> None:
        self.port = _free_port()
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="demo-imap", daemon=True)

    def start(self) -> _Mailbox:
        self._thread.start()
        if not self._ready.wait(15) or self._error:
            raise RuntimeError(f"the demo IMAP server did not start: {self._error}")
        return self

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as e:  # noqa: BLE001 - reported by start()
            self._error = e
            self._ready.set()

    async def _serve(self) -> None:
        from pymap.backend.dict import DictBackend
        from pymap.imap import IMAPService
        args = Namespace(host="127.0.0.1", port=str(self.port), debug=False, cert=None,
                         key=None, tls=False, passlib_cfg=None, demo_data=False,
                         demo_user=self.USER, demo_password=self.PASSWORD,
                         inherited_sockets=None, proxy_protocol=None)
        backend, config = await DictBackend.init(args, invalid_user_sleep=0.0,
                                                 reject_dnsbl=False)
        config.apply_context()
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with AsyncExitStack() as stack:
            await backend.start(stack)
            await IMAPService(backend, config).start(stack)
            self._ready.set()
            await self._stop.wait()

    def append(self, folder: str, raw: bytes) -> None:
        from imapclient import IMAPClient
        with IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10) as c:
            c.login(self.USER, self.PASSWORD)
            if not c.folder_exists(folder):
                c.create_folder(folder)
            c.append(folder, raw)

    def stop(self) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


def _mail(sender: str, to: str, subject: str, body: str, when: datetime, *,
          message_id: str, refs: str | None = None, headers: dict[str, str] | None = None,
          pdf: tuple[str, bytes] | None = None) -> bytes:
    m = email.message.EmailMessage()
    m["From"], m["To"], m["Subject"] = sender, to, subject
    m["Date"] = email.utils.format_datetime(when)
    m["Message-ID"] = message_id
    if refs:
        m["In-Reply-To"] = m["References"] = refs
    for k, v in (headers or {}).items():
        m[k] = v
    m.set_content(body)
    if pdf:
        m.add_attachment(pdf[1], maintype="application", subtype="pdf", filename=pdf[0])
    return m.as_bytes()


def _sent_folder(today: date) -> list[bytes]:
    """What people at Example Ltd sent from the mailbox before the demo starts: two invoices
    the ledger does not know yet, one it cannot read completely, and a personal note."""
    when = datetime.combine(today - timedelta(days=1), datetime.min.time(), UTC)
    out = []
    for num, client, addr, amount, cur, io, do in (
            ("INV-1010", "Lighthouse Books", "accounts@lighthouse.example", "640.00", "GBP",
             -32, -2),
            ("INV-1011", "Rivera Imports", "pagos@rivera.example", "1875.00", "EUR", -12, 18)):
        pdf = sample_pdf(num, client, amount, cur, today + timedelta(days=io),
                         today + timedelta(days=do))
        out.append(_mail("Example Ltd <accounts@example.com>", f"{client} <{addr}>",
                         f"Invoice {num} from Example Ltd", "Please find our invoice attached.",
                         when + timedelta(days=io), message_id=f"<{num.lower()}@billing.example.com>",
                         pdf=(f"{num}.pdf", pdf)))
    scan = FPDF()
    scan.add_page()
    scan.rect(20, 20, 170, 250)  # a scanned page: a picture, no text to read
    out.append(_mail("Example Ltd <accounts@example.com>", "Quayside Marine <ap@quayside.example>",
                     "Invoice INV-1012", "Invoice attached (scanned).", when,
                     message_id="<inv-1012@billing.example.com>",
                     pdf=("scan.pdf", bytes(scan.output()))))
    out.append(_mail("Sam Taylor <accounts@example.com>", "billing@bluebird.example",
                     "Your account with us", "Hi Dana, shall we have a call about the open "
                     "invoice this week? Sam", when + timedelta(hours=20),
                     message_id="<note-1@example.com>"))
    return out


def _replies(today: date) -> dict[int, list[bytes]]:
    """Client replies that arrive in the inbox, by demo day (at 10:00 UTC)."""
    def at(day: int) -> datetime:
        return datetime.combine(today + timedelta(days=day), datetime.min.time(), UTC) + \
            timedelta(hours=9, minutes=30)
    return {
        3: [_mail("Accounts <ap@northwind.example>", "accounts@example.com",
                  "Re: Invoice INV-1001", "Thanks, this is with our payment run next week.",
                  at(3), message_id="<r1@northwind.example>",
                  refs="<inv-1001@billing.example.com>")],
        9: [_mail("Buchhaltung <buchhaltung@mueller.example>", "accounts@example.com",
                  "Automatische Antwort: Zahlungserinnerung", "Ich bin bis zum 4. Januar "
                  "nicht im Büro.", at(9), message_id="<ooo1@mueller.example>",
                  headers={"Auto-Submitted": "auto-replied"})],
        15: [(
            "From: Mail Delivery System <MAILER-DAEMON@mx.oakdental.example>\r\n"
            "To: accounts@example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n"
            f"Date: {email.utils.format_datetime(at(15))}\r\n"
            "Message-ID: <bounce1@mx.oakdental.example>\r\nAuto-Submitted: auto-replied\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/report; "
            'report-type=delivery-status; boundary="b"\r\n\r\n--b\r\n'
            "Content-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n--b\r\n"
            "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.oakdental."
            "example\r\n\r\nFinal-Recipient: rfc822; office@oakdental.example\r\n"
            "Action: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp; 552 5.2.2 mailbox full"
            "\r\n\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            "Message-ID: <inv-1009@billing.example.com>\r\n\r\n--b--\r\n").encode()],
        5: [_mail("Accounts <finanzen@alpenblick.example>", "accounts@example.com",
                  "AW: Rechnung INV-1007", "Guten Tag, könnten Sie uns bitte eine Kopie der "
                  "Rechnung schicken? Wir finden sie nicht.", at(5),
                  message_id="<c1@alpenblick.example>", refs="<inv-1007@billing.example.com>")],
        11: [_mail("Jo Park <billing@bluebird.example>", "accounts@example.com",
                   "Re: Invoice INV-1005", "Hi, we won't pay this until the missing pages of "
                   "the brochure are delivered. Half the order is still outstanding.", at(11),
                   message_id="<d1@bluebird.example>", refs="<inv-1005@billing.example.com>")],
        19: [_mail("Accounts <ap@northwind.example>", "accounts@example.com",
                   "Re: Invoice INV-1002", "Hello, we paid INV-1002 yesterday by bank transfer.",
                   at(19), message_id="<p1@northwind.example>",
                   refs="<inv-1002@billing.example.com>")],
        22: [_mail("Someone <someone@elsewhere.example>", "accounts@example.com",
                   "Question", "Hello, do you sell gift cards?", at(22),
                   message_id="<q1@elsewhere.example>")],
    }


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
    mailbox = _Mailbox().start()
    try:
        return _run(days, out, clock, capture, port, mailbox, build)
    finally:
        mailbox.stop()
        server.stop()


def _run(days: int, out: Path, clock: SimulatedClock, capture: _Capture, port: int,
         mailbox: _Mailbox, build: Any) -> int:
    config = parse({
        "database": {"path": str(out / "arbot.db")},
        "company": {"name": "Example Ltd", "phone": "+44 20 7946 0000",
                    "website": "https://example.com", "signature": "Sam Taylor, Accounts",
                    "payment_details": "Bank transfer to Example Ltd, IBAN GB00 DEMO 0000 0000 00"},
        "mail": {"from_address": "accounts@example.com", "from_name": "Example Ltd Accounts",
                 "reply_to": "accounts@example.com"},
        "smtp": {"host": "127.0.0.1", "port": port, "security": "none"},
        "imap": {"host": "127.0.0.1", "port": mailbox.port, "security": "none",
                 "username": mailbox.USER, "password_env": "ARBOT_DEMO_IMAP_PASSWORD",
                 "sent_folder": "Sent", "idle": False, "save_sent_copies": False},
        "clients": {"timezone": "Europe/London", "country": "GB", "currency": "GBP"},
    }, path=None, environ={"ARBOT_DEMO_IMAP_PASSWORD": mailbox.PASSWORD})
    if config.database_path.exists():
        config.database_path.unlink()
    bot = build(config, clock=clock, sleep=clock.sleep)
    ledger = bot.ledger
    today = START.date()
    csv_path = _write_ledger(out / "ledger", today)
    rows, errors = importer.read_invoices(csv_path)
    assert not errors, errors
    ledger.import_invoices(rows, clock())
    sent = _sent_folder(today)
    for raw in sent:
        mailbox.append("Sent", raw)
    replies = _replies(today)

    print(f"arbot demo: {len(rows)} sample invoices for {len({r.client for r in rows})} clients "
          f"imported from CSV, {len(sent)} more emails in the mailbox's Sent folder; "
          f"{days} simulated days from {today.isoformat()}")
    print(f"SMTP server on 127.0.0.1:{port}, IMAP server on 127.0.0.1:{mailbox.port} (both in "
          f"this process)")
    print("ladder: " + ", ".join(
        f"{t.name} {t.offset_days:+d}d" + (" [approval]" if t.approval else "")
        for t in config.policy.ladder.tiers))
    print()
    lines: list[tuple[datetime, str]] = []
    seen_events = 0
    end = START + timedelta(days=days)
    while clock.now < end:
        day = (clock.now.date() - today).days
        if clock.now.hour == 10:  # the finance team looks at things at 10:00 UTC
            for raw in replies.get(day, []):
                mailbox.append("INBOX", raw)
            for num, amount in _PAYMENTS.get(day, []):
                ledger.record_payment(num, Decimal(amount), clock.now.date(), clock.now,
                                      key=f"demo:{num}:{day}", source="bank", actor="finance")
            if day in _PAUSE:
                c = ledger.find_client(_PAUSE[day])
                assert c is not None
                ledger.set_paused(now=clock.now, actor="finance", paused=True, client_id=c.id)
            for item in ledger.review():
                waited = clock.now - datetime.fromisoformat(item["created_at"])
                if item["kind"] == "confirm_payment" and waited >= timedelta(hours=20):
                    # the team finds the transfer on the bank statement
                    bot.replies.decide(item["id"], "received", actor="finance (Alex)")
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
    review = ledger.review()
    print(f"{len(review)} item(s) wait for a person in `arbot review`:")
    for r in review:
        print(f"  #{r['id']} {r['kind']}: {r['summary']}")
    print(f"\nThe sent messages are in {capture.folder}/ (open any .eml in a mail program).")
    cfg = shlex.quote(str(out / "demo.toml"))
    print(f"The demo's database is {config.database_path}; look around it with:\n"
          f"  {_command()} --config {cfg} status --now {clock.now:%Y-%m-%dT%H:%M}Z\n"
          f"  {_command()} --config {cfg} history INV-1001")
    print(f"  {_command()} --config {cfg} review")
    # the servers stop with the demo: the saved config reads the ledger only
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
    if k == "sent_invoice":
        return f"found     {'invoice':<13} {inv}  in the Sent folder, for {who.split(' [')[0]}"
    if k == "quiet_period":
        why = d["reason"].split(" (")[0]
        return f"quiet     {'':<13} {'':<8}  {who}: {why}; reminders wait until {d['until'][:10]}"
    if k == "state" and e["actor"] != "arbot":
        return f"{d['to'].replace('_', ' '):<23} {inv}  {d['reason']} (by {e['actor']})"
    if k == "promise_recorded":
        return f"promise   {d['date']:<13} {inv}  reminders wait until then"
    if k == "copy_requested":
        return f"copy      {'invoice_copy':<13} {inv}  sent because the client asked for it"
    if k == "address_failing":
        return f"bounced   {'':<13} {'':<8}  {who}: {mask(d['address'])} fails; a person " \
               f"is alerted in `arbot review`"
    if k == "reply_to_person":
        return f"to review {d['label']:<13} {inv or '':<8}  {who}: {d['why']}"
    if k == "message_queued":
        return f"queued    {d['template']:<13} {inv}"
    if k.startswith("inbox_"):
        what = {"inbox_person": "reply", "inbox_auto_reply": "auto-reply",
                "inbox_bounce": "bounce", "inbox_delay": "delayed"}.get(k, k[6:])
        trust = "" if d.get("trusted") else ", sender not the client's"
        return f"{what:<9} {d['matched_by'] or '':<13} {inv or '':<8}  from {who}: " \
               f"{d['subject']!r}{trust}"
    return ""
