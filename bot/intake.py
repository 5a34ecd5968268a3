"""Taking in the company mailbox: loop steps that read the inbox and the Sent folder past
their cursors and save copies of what SMTP sent; and the Sent-folder lookup the outbox uses
to settle sends a crash left in doubt.

Each message read is understood (automatic mail or a person, which client and invoices,
how it was matched) and recorded together with the folder's cursor in one transaction
(``Ledger.take_in_all``), so a message is taken in exactly once across restarts, crashes and
dropped connections. A message that cannot be understood is recorded for review, never
dropped and never allowed to stop the loop.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from bot.config import Config
from bot.core import automail, matching
from bot.core.compose import mask
from bot.imap import Fetched, Mailbox
from bot.importer import InvoiceRow
from bot.ledger import Ledger, StoredMessage, client_id_for

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

#: Servers that keep their own copy of what SMTP sent (Gmail, Microsoft 365) file it a little
#: after delivery; looking for it too early would append a second copy.
COPY_GRACE = timedelta(minutes=2)


# -- reading one message --------------------------------------------------------------------

def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def parse_fast(raw: bytes) -> EmailMessage:
    """A message whose headers stay raw strings until asked for (``header``): the inbox's
    many small replies are read several times faster than with the modern policy, which
    parses every header on every access."""
    msg = email.message_from_bytes(raw, _class=EmailMessage, policy=email.policy.compat32)
    assert isinstance(msg, EmailMessage)
    return msg


def header(msg: EmailMessage, name: str) -> str:
    """A header's text, whatever the parsing policy: the modern one decodes it already, the
    inbox's fast one keeps it raw."""
    value = msg.get(name)
    if value is None:
        return ""
    return str(value) if hasattr(value, "defects") else automail.header_text(str(value))


_ANGLE = re.compile(r"<\s*([^<>\s@]+@[^<>\s]+?)\s*>")


def _simple_addresses(value: str) -> list[str] | None:
    """Addresses of a plain list (``a@b.test, Name <c@d.test>``) without the full RFC 5322
    parser, which is the slowest part of reading a small reply; None when the header has
    quotes, comments or groups and needs the real parser."""
    if any(c in value for c in '"():;\\'):
        return None
    out = []
    for piece in value.split(","):
        m = _ANGLE.search(piece)
        addr = m.group(1) if m else piece.strip()
        if addr:
            if " " in addr or "<" in addr or ">" in addr:
                return None
            out.append(addr)
    return out


def addresses(msg: EmailMessage, *headers: str) -> tuple[str, ...]:
    found: list[str] = []
    for h in headers:
        for v in msg.get_all(h, []):
            value = str(v)
            simple = _simple_addresses(value)
            found += simple if simple is not None else [a for _, a in getaddresses([value])]
    return tuple(a.lower() for a in found if "@" in a)


def sent_date(msg: EmailMessage) -> datetime | None:
    try:
        d = parsedate_to_datetime(header(msg, "Date"))
    except (TypeError, ValueError, IndexError):
        return None
    return d if d.tzinfo else None


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "tr", "li"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def readable_text(msg: EmailMessage) -> str:
    """The message's text: its plain part, else its HTML part reduced to text."""
    try:
        # most replies are a single text part: no need to walk a MIME tree
        ctype = msg.get_content_type()
        part = msg if ctype.startswith("text/") and not msg.is_multipart() \
            else msg.get_body(("plain", "html"))
        if part is None:
            return ""
        if part is not msg:
            ctype = part.get_content_type()
        payload = part.get_payload(decode=True)
    except (KeyError, LookupError, ValueError, AssertionError):
        return ""
    if not isinstance(payload, bytes):
        return ""
    try:
        content = payload.decode(part.get_content_charset() or "utf-8", "replace")
    except LookupError:  # a charset Python does not know
        content = payload.decode("utf-8", "replace")
    if ctype == "text/html":
        p = _Text()
        p.feed(content)
        content = "".join(p.parts)
    return re.sub(r"[ \t]+", " ", content)


def message_key(message_id: str | None, raw: bytes, role: str) -> str:
    """What makes a message the same message: its Message-ID, else its bytes."""
    return f"{role}:{message_id}" if message_id else \
        f"{role}:sha256:{hashlib.sha256(raw).hexdigest()}"


# -- the ledger, as matching sees it ---------------------------------------------------------

class LedgerDirectory:
    """``matching.Directory`` over the ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._index: tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[str]]] | None = None
        self._numbers: tuple[dict[str, tuple[str, str]], dict[str, tuple[str, ...]]] | None = None

    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return list(self.ledger.db.query(sql, params))

    def threads(self, message_ids: Sequence[str]) -> Mapping[str, tuple[str, tuple[str, ...]]]:
        ids = list(dict.fromkeys(message_ids))[:100]
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        out: dict[str, tuple[str, tuple[str, ...]]] = {}
        for r in self._q(f"SELECT message_id, client_id, items FROM outbox WHERE message_id "
                         f"IN ({marks})", ids):
            out[r["message_id"]] = (r["client_id"], tuple(n for n, _ in json.loads(r["items"])))
        for r in self._q(f"SELECT message_id, client_id, number FROM invoices WHERE message_id "
                         f"IN ({marks})", ids):
            client, numbers = out.get(r["message_id"], (r["client_id"], ()))
            out[r["message_id"]] = (client, (*numbers, r["number"]))
        return out

    def client_for_token(self, token: str) -> str | None:
        rows = self._q("SELECT id FROM clients WHERE reply_token = ?", [token.lower()])
        return str(rows[0]["id"]) if rows else None

    def invoices_named(self, candidates: Iterable[str]) -> Mapping[str, tuple[str, str]]:
        numbers = self._invoices()[0]
        return {w: numbers[w] for w in candidates if w in numbers}

    def _invoices(self) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, ...]]]:
        """(NUMBER -> (number, client), client -> its open invoices), built once a batch:
        a reply names invoices in any case, and no index helps a search by upper()."""
        if self._numbers is None:
            numbers: dict[str, tuple[str, str]] = {}
            open_by_client: dict[str, list[str]] = {}
            for number, client, state in self.ledger.db.conn.execute(
                    "SELECT number, client_id, state FROM invoices ORDER BY due_date, number"):
                numbers[number.upper()] = (number, client)
                if state not in ("paid", "cancelled"):
                    open_by_client.setdefault(client, []).append(number)
            self._numbers = (numbers, {c: tuple(n) for c, n in open_by_client.items()})
        return self._numbers

    def refresh(self) -> None:
        """Forget the indexes (clients and invoices change between batches, not within one)."""
        self._index = None
        self._numbers = None

    def _addresses(self) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[str]]]:
        """(client -> addresses, address -> clients, domain -> clients), built once a batch."""
        if self._index is None:
            by_client: dict[str, list[str]] = {}
            by_address: dict[str, list[str]] = {}
            by_domain: dict[str, list[str]] = {}
            for r in self._q("SELECT id, email, cc FROM clients ORDER BY id"):
                addrs = [r["email"].lower(), *(c.lower() for c in json.loads(r["cc"]))]
                by_client[r["id"]] = addrs
                for a in dict.fromkeys(addrs):
                    by_address.setdefault(a, []).append(r["id"])
                for d in dict.fromkeys(matching.domain_of(a) for a in addrs):
                    by_domain.setdefault(d, []).append(r["id"])
            self._index = (by_client, by_address, by_domain)
        assert self._index is not None
        return self._index

    def clients_with_address(self, address: str) -> Sequence[str]:
        return self._addresses()[1].get(address.lower(), [])

    def clients_at_domain(self, domain: str) -> Sequence[str]:
        return self._addresses()[2].get(domain.lower(), [])

    def client_addresses(self, client_id: str) -> Sequence[str]:
        return self._addresses()[0].get(client_id, [])

    def open_invoices(self, client_id: str) -> tuple[str, ...]:
        return self._invoices()[1].get(client_id, ())


# -- the steps -------------------------------------------------------------------------------

class Intake:
    def __init__(self, ledger: Ledger, mailbox: Mailbox, config: Config, *, clock: Clock,
                 batch: int = 200) -> None:
        self.ledger = ledger
        self.mailbox = mailbox
        self.config = config
        self.clock = clock
        self.batch = batch
        self.directory = LedgerDirectory(ledger)
        self.directory.refresh()
        self.documents = config.database_path.parent / "documents"
        mail = config.mail
        self.own = {a.lower() for a in (mail.from_address, mail.reply_to) if a}

    # one batch of one folder

    def take_in(self, role: str) -> bool:
        folder = self.mailbox.folder(role)
        cursor = self.ledger.cursor(folder)
        after = cursor[1] if cursor else 0
        batch = self.mailbox.read_after(folder, after, batch=self.batch)
        now = self.clock()
        if cursor and batch.uidvalidity != cursor[0]:
            # RFC 3501 2.3.1.1: the old UIDs mean nothing now. Read the folder again from
            # the start; the messages already taken in are recognised by their key.
            log.warning("imap: %s has a new UIDVALIDITY (%d, was %d); reading it again",
                        folder, batch.uidvalidity, cursor[0])
            self.ledger.set_cursor(folder, batch.uidvalidity, 0, now)
            self.ledger.event(now, "folder_reset", folder=folder, uidvalidity=batch.uidvalidity,
                              was=cursor[0])
            return True
        self.directory.refresh()
        stored: list[StoredMessage] = []
        for fetched in batch.messages:
            one = self._understand_safely(role, folder, batch.uidvalidity, fetched)
            if one.kind in ("invoice", "personal", "incomplete_invoice"):
                # it changed the ledger (an invoice, a quiet period): record it before the next
                # message is understood against the ledger
                self._record([*stored, one], folder, now)
                stored = []
                self.directory.refresh()
            else:
                stored.append(one)
        self._record(stored, folder, now)
        return batch.more

    def _record(self, stored: Sequence[StoredMessage], folder: str, now: datetime) -> None:
        for one, mid in zip(stored, self.ledger.take_in_all(stored, now), strict=True):
            if mid is None:
                log.info("imap: %s uid %d was taken in before (same Message-ID); kept once",
                         folder, one.uid)
                continue
            log.info("imap: took in %s uid %d as %s%s", folder, one.uid, one.kind,
                     f" for {','.join(one.invoices)}" if one.invoices else "")

    def take_in_inbox(self) -> bool:
        return self.take_in("inbox")

    def take_in_sent(self) -> bool:
        return self.take_in("sent")

    def _understand_safely(self, role: str, folder: str, validity: int,
                           fetched: Fetched) -> StoredMessage:
        try:
            if role == "inbox":
                return self._reply(parse_fast(fetched.raw), folder, validity, fetched)
            return self._sent(parse(fetched.raw), folder, validity, fetched)
        except Exception as e:  # noqa: BLE001 - one bad message must not stop the folder
            log.exception("imap: %s uid %d could not be read; quarantined", folder, fetched.uid)
            return StoredMessage(
                key=f"{role}:unreadable:{validity}:{fetched.uid}:"
                    f"{hashlib.sha256(fetched.raw).hexdigest()[:16]}",
                role=role, folder=folder, uidvalidity=validity, uid=fetched.uid, message_id=None,
                date=None, sender="", recipients=(), subject="", kind="unreadable",
                status="review", raw=fetched.raw, evidence={"error": f"{type(e).__name__}: {e}"},
                review=("quarantine", f"{folder} message {fetched.uid} could not be read "
                                      f"({type(e).__name__})"))

    # the inbox

    def _reply(self, msg: EmailMessage, folder: str, validity: int, f: Fetched) -> StoredMessage:
        verdict = automail.recognise(msg)
        sender = next(iter(addresses(msg, "From")), "")
        subject = header(msg, "Subject")
        refs = matching.message_ids(header(msg, "In-Reply-To")) + \
            matching.message_ids(header(msg, "References"))
        who = sender
        if verdict.kind in (automail.Kind.BOUNCE, automail.Kind.DELAY):
            # a bounce is about the message that bounced, and the address that failed
            if verdict.original_message_id:
                refs = (*refs, verdict.original_message_id)
            if verdict.recipients:
                who = verdict.recipients[0].address
        to_cc = addresses(msg, "To", "Cc")
        reply = matching.Reply(sender=who, recipients=to_cc + addresses(
            msg, "Delivered-To", "X-Original-To"), subject=subject,
            text=readable_text(msg), references=refs)
        match = matching.match_reply(reply, self.directory, mailboxes=sorted(self.own))
        evidence: dict[str, Any] = {"match": match.evidence, "automatic": verdict.reason}
        if verdict.recipients:
            evidence["failed"] = [
                {"address": r.address, "status": r.status, "diagnostic": r.diagnostic}
                for r in verdict.recipients]
        review = None
        if sender in self.own:
            kind, status = "own", "done"
        elif match.client_id is None:
            kind, status = verdict.kind.value, "review"
            review = ("unmatched_reply", f"{verdict.kind.value} from {mask(sender)}: "
                                         f"{subject[:80]!r} matches no client or invoice")
        else:
            kind, status = verdict.kind.value, "new"
        mid = header(msg, "Message-ID").strip()
        return StoredMessage(
            key=message_key(mid, f.raw, "inbox"), role="inbox",
            folder=folder, uidvalidity=validity, uid=f.uid, message_id=mid or None,
            date=sent_date(msg) or f.internaldate, sender=sender,
            recipients=to_cc, subject=subject, kind=kind, status=status,
            raw=f.raw, client_id=match.client_id, invoices=match.invoices,
            matched_by=match.by, evidence=evidence, trusted=match.trusted, review=review)

    # the Sent folder

    def _sent(self, msg: EmailMessage, folder: str, validity: int, f: Fetched) -> StoredMessage:
        from bot import discovery
        mid = header(msg, "Message-ID").strip() or None
        base = StoredMessage(
            key=message_key(mid, f.raw, "sent"), role="sent", folder=folder, uidvalidity=validity,
            uid=f.uid, message_id=mid, date=sent_date(msg) or f.internaldate,
            sender=next(iter(addresses(msg, "From")), ""), recipients=addresses(msg, "To", "Cc"),
            subject=str(msg.get("Subject", "")), kind="other", status="done", raw=None)
        if mid and self._is_ours(mid):
            return replace(base, kind="own")
        d = self.config.discovery
        patterns = [discovery.SenderPattern(p.sender, p.number, p.amount, p.due_date,
                                            p.issue_date, p.date_order) for p in d.patterns]
        found = discovery.read_invoice_email(
            msg, patterns=patterns, default_currency=self.config.clients.currency,
            default_terms_days=d.terms_days) if d.enabled else None
        if found is not None:
            return self._invoice(found, base)
        clients = sorted({c for a in base.recipients for c in self.directory.clients_with_address(a)})
        if clients:
            # a person at the company wrote to the client: let that conversation breathe
            now = self.clock()
            until = (base.date or now) + timedelta(days=d.quiet_days)
            if until > now:
                for c in clients:
                    self.ledger.set_quiet(
                        c, until, now,
                        reason=f"a person wrote to the client recently ({base.subject[:60]!r})")
            return replace(base, kind="personal", client_id=clients[0], matched_by="address")
        return base

    def _is_ours(self, message_id: str) -> bool:
        return bool(list(self.ledger.db.query("SELECT 1 FROM outbox WHERE message_id = ?",
                                              [message_id])))

    def _invoice(self, found: Any, base: StoredMessage) -> StoredMessage:
        evidence: dict[str, Any] = {"source": found.source, "fields": dict(found.evidence)}
        if found.missing:
            evidence["missing"] = list(found.missing)
            what = found.number or base.subject[:60]
            return replace(base, kind="incomplete_invoice", status="review", evidence=evidence,
                           review=("incomplete_invoice",
                                   f"invoice email {what!r} to {', '.join(map(mask, found.to))}: "
                                   f"could not read {', '.join(found.missing)}"))
        pdf = self._keep_pdf(found.number, found.pdf) if found.pdf else None
        existing = next((c for a in found.to for c in self.directory.clients_with_address(a)), None)
        client = self.ledger.client(existing) if existing else None
        name = client.name if client else (found.client_name or found.to[0])
        row = InvoiceRow(line=0, number=found.number, client=name, email=found.to[0],
                         cc=tuple(found.to[1:]) + tuple(found.cc), amount=found.amount,
                         currency=found.currency, issue_date=found.issue_date or found.due_date,
                         due_date=found.due_date, balance=None, pdf=pdf, timezone=None,
                         locale=None, country=None, message_id=base.message_id)
        result = self.ledger.import_invoices([row], self.clock(), source="sent folder")
        if result.errors:
            reason = result.errors[0].message
            return replace(base, kind="incomplete_invoice", status="review",
                           evidence={**evidence, "error": reason},
                           review=("incomplete_invoice", f"invoice {found.number}: {reason}"))
        return replace(base, kind="invoice", client_id=client_id_for(name),
                       invoices=(found.number,), matched_by=found.source, evidence=evidence)

    def _keep_pdf(self, number: str, data: bytes) -> Path:
        self.documents.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", number)[:80] or "invoice"
        path = self.documents / f"{safe}-{hashlib.sha256(data).hexdigest()[:10]}.pdf"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        return path

    # copies of what SMTP sent, and sends a crash left in doubt

    def save_one_sent_copy(self) -> bool:
        if not self.config.imap.save_sent_copies:
            return False
        now = self.clock()
        for row in self.ledger.unsaved_copies(limit=1):
            sent_at = datetime.fromisoformat(row["sent_at"])
            if now - sent_at < COPY_GRACE:
                return False
            folder = self.mailbox.folder("sent")
            if row["message_id"] and self.mailbox.has_message_id(folder, row["message_id"]):
                self.ledger.mark_copy_saved(row["id"], "found")  # the server kept its own
            else:
                self.mailbox.append(folder, row["raw"], when=sent_at)
                self.ledger.mark_copy_saved(row["id"], "appended")
                log.info("imap: saved a copy of outbox #%d in %s", row["id"], folder)
            return True
        return False

    def in_sent_folder(self, message_id: str) -> bool:
        return self.mailbox.has_message_id(self.mailbox.folder("sent"), message_id)

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        folder = self.mailbox.folder("inbox")
        cursor = self.ledger.cursor(folder)
        return self.mailbox.wait(folder, seconds, stop, after_uid=cursor[1] if cursor else 0)
