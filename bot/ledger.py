"""The ledger: one SQLite file (WAL) holding clients, invoices, their history, payments,
the reminder ladder's progress, approval requests and the outbox.

This is the database adapter: it turns rows into the core's values (``bot.core.model``) and
the core's actions into rows. Every write that belongs together happens in one
``BEGIN IMMEDIATE`` transaction, so a crash or a bad row never leaves half an import or half
a plan behind. The ``events`` table is append-only (triggers refuse UPDATE and DELETE).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from bot.core.model import (
    Client,
    Invoice,
    InvoiceState,
    Ladder,
    check_transition,
)
from bot.core.policy import Approved, InvoiceProgress, Plan, Send
from bot.importer import InvoiceRow, PaymentRow, RowError

migrations = Migrations("arbot")


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript("""
    CREATE TABLE clients (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        cc TEXT NOT NULL DEFAULT '[]',
        timezone TEXT,
        locale TEXT,
        country TEXT,
        paused INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE invoices (
        number TEXT PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES clients(id),
        amount TEXT NOT NULL,
        balance TEXT NOT NULL,
        currency TEXT NOT NULL,
        issue_date TEXT NOT NULL,
        due_date TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'open',
        paused INTEGER NOT NULL DEFAULT 0,
        pdf_path TEXT,
        message_id TEXT,
        promised_date TEXT,
        import_hash TEXT,
        imported_balance TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX invoices_client ON invoices(client_id);
    CREATE INDEX invoices_state ON invoices(state);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        invoice TEXT,
        client_id TEXT,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}',
        actor TEXT NOT NULL DEFAULT 'arbot'
    );
    CREATE INDEX events_invoice ON events(invoice);
    CREATE INDEX events_client ON events(client_id);
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
    CREATE TABLE payments (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        invoice TEXT NOT NULL REFERENCES invoices(number),
        amount TEXT NOT NULL,
        paid_on TEXT NOT NULL,
        reference TEXT,
        source TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    );
    CREATE TABLE approvals (
        id INTEGER PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES clients(id),
        tier TEXT NOT NULL,
        action TEXT NOT NULL,
        invoices TEXT NOT NULL,
        reason TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        requested_at TEXT NOT NULL,
        decided_at TEXT,
        decided_by TEXT,
        note TEXT,
        outbox_id INTEGER
    );
    CREATE INDEX approvals_status ON approvals(status);
    -- The ladder's progress: one row per (invoice, tier) that was sent, queued, skipped,
    -- requested or decided. The primary key makes a second plan of the same reminder
    -- impossible.
    CREATE TABLE reminders (
        invoice TEXT NOT NULL REFERENCES invoices(number),
        tier TEXT NOT NULL,
        status TEXT NOT NULL,
        outbox_id INTEGER,
        approval_id INTEGER,
        at TEXT NOT NULL,
        PRIMARY KEY (invoice, tier)
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        client_id TEXT NOT NULL REFERENCES clients(id),
        kind TEXT NOT NULL DEFAULT 'reminder',
        tier TEXT NOT NULL,
        template TEXT NOT NULL,
        items TEXT NOT NULL,
        approval_ids TEXT NOT NULL DEFAULT '[]',
        extra TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL DEFAULT 'queued',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        message_id TEXT,
        subject TEXT,
        recipients TEXT,
        raw BLOB,
        error TEXT,
        created_at TEXT NOT NULL,
        claimed_at TEXT,
        sent_at TEXT
    );
    CREATE INDEX outbox_status ON outbox(status, next_attempt_at);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE INDEX outbox_client_sent ON outbox(client_id, sent_at);
    """)


@migrations()
def m002_mailbox(db: Database) -> None:
    """The company mailbox: where each folder was read up to, every message taken in (once),
    the review list, quiet periods after hand-written mail, and saved Sent copies."""
    db.executescript("""
    -- per folder: the UIDVALIDITY and the last UID taken in (RFC 3501 2.3.1.1)
    CREATE TABLE cursors (
        folder TEXT PRIMARY KEY,
        uidvalidity INTEGER NOT NULL,
        last_uid INTEGER NOT NULL,
        updated_at TEXT NOT NULL
    );
    -- every message read from the inbox or the Sent folder; ``key`` makes it exactly once
    -- (the Message-ID, or a digest of the message when it has none)
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        folder TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL,
        uid INTEGER NOT NULL,
        message_id TEXT,
        date TEXT,
        from_addr TEXT,
        to_addrs TEXT NOT NULL DEFAULT '[]',
        subject TEXT,
        kind TEXT NOT NULL,
        client_id TEXT,
        invoices TEXT NOT NULL DEFAULT '[]',
        matched_by TEXT,
        evidence TEXT NOT NULL DEFAULT '{}',
        trusted INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        raw BLOB,
        received_at TEXT NOT NULL
    );
    CREATE INDEX messages_status ON messages(status);
    CREATE INDEX messages_message_id ON messages(message_id);
    CREATE TABLE review (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        message INTEGER REFERENCES messages(id),
        summary TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        resolved_at TEXT,
        resolved_by TEXT,
        resolution TEXT
    );
    CREATE INDEX review_open ON review(resolved_at);
    ALTER TABLE clients ADD COLUMN quiet_until TEXT;
    ALTER TABLE clients ADD COLUMN reply_token TEXT;
    CREATE UNIQUE INDEX clients_reply_token ON clients(reply_token);
    ALTER TABLE outbox ADD COLUMN copy_saved INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX outbox_message_id ON outbox(message_id);
    CREATE INDEX invoices_message_id ON invoices(message_id);
    UPDATE clients SET reply_token = lower(hex(randomblob(5)));
    """)


@migrations()
def m003_replies(db: Database) -> None:
    """What each reply was read as, addresses that bounce, and why a client's reminders wait."""
    db.executescript("""
    ALTER TABLE messages ADD COLUMN label TEXT;
    ALTER TABLE messages ADD COLUMN confidence REAL;
    ALTER TABLE messages ADD COLUMN reading TEXT NOT NULL DEFAULT '{}';
    CREATE INDEX messages_role_status ON messages(role, status, id);
    ALTER TABLE clients ADD COLUMN failing TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE clients ADD COLUMN quiet_reason TEXT;
    """)


@migrations()
def m004_slack(db: Database) -> None:
    """Slack: every message arbot posts or updates, queued like the email outbox (one row per
    key, posted once, retried after rate limits and outages); and on approvals, the text a
    person edited before sending and how long a request is snoozed."""
    db.executescript("""
    CREATE TABLE slack_posts (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        ref INTEGER,
        channel TEXT NOT NULL,
        thread_key TEXT,
        update_key TEXT,
        text TEXT NOT NULL,
        blocks TEXT NOT NULL DEFAULT '[]',
        file BLOB,
        status TEXT NOT NULL DEFAULT 'queued',
        ts TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        error TEXT,
        created_at TEXT NOT NULL,
        posted_at TEXT
    );
    CREATE INDEX slack_posts_due ON slack_posts(status, next_attempt_at);
    ALTER TABLE approvals ADD COLUMN edited_subject TEXT;
    ALTER TABLE approvals ADD COLUMN edited_text TEXT;
    ALTER TABLE approvals ADD COLUMN snoozed_until TEXT;
    """)


# ---------------------------------------------------------------------------------------------

#: Reminder rows that count as "this tier is behind us" for the planner.
_DONE = ("skipped", "rejected", "queued", "sent", "failed", "unknown", "approved")
#: Outbox rows that are finished or need a person; everything else is still in flight.
OUTBOX_FINAL = ("sent", "failed", "unknown", "cancelled")
#: Review items that mean a client's reply waits for a person. While one is open, automatic
#: reminders for the invoices its reply is about are held (``Invoice.reply_waiting``): a reply
#: read below ``[replies] act_threshold`` changes no state, yet may be a dispute or a payment
#: claim. A payment claim or a dispute also moves its invoices out of "open"; their item
#: still holds an invoice that is reopened before a person decides (by a later import).
REPLY_HOLDS = ("label_reply", "confirm_payment", "dispute")


class LedgerError(Exception):
    """A request the ledger cannot honour: unknown invoice, illegal state change, ..."""


def iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="seconds")


def parse_time(s: str) -> datetime:
    return datetime.fromisoformat(s)


def client_id_for(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class PlanningState:
    clients: dict[str, Client]
    invoices: list[Invoice]
    progress: dict[str, InvoiceProgress]
    recent_sends: dict[str, list[datetime]]
    approved: list[Approved]


@dataclass(frozen=True)
class RepliesWaiting:
    """The open review items of ``REPLY_HOLDS``, as the holds they put on invoices. Each maps
    to the oldest open item's id."""

    by_invoice: dict[str, int]  # invoice number -> item whose reply names that invoice
    by_client: dict[str, int]   # client id -> item whose reply names no invoice (it may be
                                # about anything of the client's)

    def about(self, number: str, client_id: str) -> int | None:
        return self.by_invoice.get(number) or self.by_client.get(client_id)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    key: str
    client_id: str
    kind: str
    tier: str
    template: str
    items: tuple[tuple[str, str], ...]
    approval_ids: tuple[int, ...]
    status: str
    attempts: int
    message_id: str | None
    error: str | None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def invoices(self) -> tuple[str, ...]:
        return tuple(n for n, _ in self.items)


@dataclass(frozen=True)
class StoredMessage:
    """One message taken in from a folder, as the ``messages`` table keeps it."""

    key: str
    role: str              # inbox | sent
    folder: str
    uidvalidity: int
    uid: int
    message_id: str | None
    date: datetime | None
    sender: str
    recipients: tuple[str, ...]
    subject: str
    kind: str              # inbox: person, auto_reply, bounce, delay, automated; sent: invoice, ...
    status: str            # new (to be understood), done, review
    raw: bytes | None
    client_id: str | None = None
    invoices: tuple[str, ...] = ()
    matched_by: str | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)
    trusted: bool = False
    review: tuple[str, str] | None = None  # (kind, summary) to put on the review list


def _outbox_row(r: Mapping[str, Any]) -> OutboxRow:
    return OutboxRow(
        id=r["id"], key=r["key"], client_id=r["client_id"], kind=r["kind"], tier=r["tier"],
        template=r["template"], items=tuple((n, t) for n, t in json.loads(r["items"])),
        approval_ids=tuple(json.loads(r["approval_ids"])), status=r["status"],
        attempts=r["attempts"], message_id=r["message_id"], error=r["error"],
        extra=json.loads(r["extra"]))


def _client(r: Mapping[str, Any], defaults: Mapping[str, str]) -> Client:
    return Client(id=r["id"], name=r["name"], email=r["email"], cc=tuple(json.loads(r["cc"])),
                  timezone=r["timezone"] or defaults["timezone"],
                  locale=r["locale"] or defaults["locale"],
                  country=r["country"] or defaults["country"], paused=bool(r["paused"]),
                  quiet_until=parse_time(r["quiet_until"]) if r.get("quiet_until") else None,
                  quiet_reason=r.get("quiet_reason") or None,
                  reply_token=r.get("reply_token"),
                  failing=tuple(json.loads(r.get("failing") or "[]")))


def _invoice(r: Mapping[str, Any], waiting: RepliesWaiting) -> Invoice:
    return Invoice(number=r["number"], client_id=r["client_id"], amount=Decimal(r["amount"]),
                   balance=Decimal(r["balance"]), currency=r["currency"],
                   issue_date=date.fromisoformat(r["issue_date"]),
                   due_date=date.fromisoformat(r["due_date"]), state=InvoiceState(r["state"]),
                   paused=bool(r["paused"]), pdf_path=r["pdf_path"], message_id=r["message_id"],
                   promised_date=date.fromisoformat(r["promised_date"])
                   if r["promised_date"] else None,
                   reply_waiting=waiting.about(r["number"], r["client_id"]))


class Ledger:
    def __init__(self, path: Path, *, client_defaults: Mapping[str, str] | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we open every transaction ourselves (BEGIN IMMEDIATE), so a
        # writer never has to upgrade a read lock, the case where SQLite's busy timeout
        # cannot help. The timeout covers a CLI command writing while `arbot run` does.
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=10.0,
                               check_same_thread=False)
        self.path = path
        self.db = Database(conn)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.enable_wal()
        self.db.execute("PRAGMA synchronous = NORMAL")
        migrations.apply(self.db)
        self.defaults = dict(client_defaults or {"timezone": "UTC", "locale": "en", "country": ""})

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        conn = self.db.conn
        if conn.in_transaction:  # nested: sqlite-utils' savepoints
            with self.db.atomic():
                yield self.db
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, params))

    def _one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def event(self, now: datetime, kind: str, *, invoice: str | None = None,
              client_id: str | None = None, actor: str = "arbot", **detail: Any) -> None:
        if invoice and not client_id:
            row = self._one("SELECT client_id FROM invoices WHERE number = ?", [invoice])
            client_id = row["client_id"] if row else None
        self.db.execute(
            "INSERT INTO events (at, invoice, client_id, kind, detail, actor) VALUES (?,?,?,?,?,?)",
            [iso(now), invoice, client_id, kind, json.dumps(detail, default=str, sort_keys=True),
             actor])

    # -- reading -----------------------------------------------------------------------------

    def client(self, client_id: str) -> Client | None:
        r = self._one("SELECT * FROM clients WHERE id = ?", [client_id])
        return _client(r, self.defaults) if r else None

    def find_client(self, key: str) -> Client | None:
        """A client by id, name (any case) or email address."""
        r = self._one("SELECT * FROM clients WHERE id = ? OR lower(email) = lower(?)",
                      [client_id_for(key), key.strip()])
        return _client(r, self.defaults) if r else None

    def clients(self) -> list[Client]:
        return [_client(r, self.defaults) for r in self._rows("SELECT * FROM clients ORDER BY id")]

    def invoice(self, number: str) -> Invoice | None:
        r = self._one("SELECT * FROM invoices WHERE number = ?", [number.strip()])
        return _invoice(r, self.replies_waiting()) if r else None

    def invoices(self, numbers: Iterable[str] | None = None) -> list[Invoice]:
        waiting = self.replies_waiting()
        if numbers is None:
            return [_invoice(r, waiting)
                    for r in self._rows("SELECT * FROM invoices ORDER BY due_date, number")]
        wanted = list(numbers)
        marks = ",".join("?" * len(wanted))
        found = {r["number"]: _invoice(r, waiting)
                 for r in self._rows(f"SELECT * FROM invoices WHERE number IN ({marks})", wanted)}
        return [found[n] for n in wanted if n in found]

    def invoices_of(self, client_id: str) -> list[Invoice]:
        waiting = self.replies_waiting()
        return [_invoice(r, waiting) for r in self._rows(
            "SELECT * FROM invoices WHERE client_id = ? ORDER BY due_date, number", [client_id])]

    def replies_waiting(self) -> RepliesWaiting:
        """Which invoices a client's reply waiting for a person is about (``REPLY_HOLDS``): the
        ones its message names, or, when it names none, every invoice of the client it was
        matched to. A reply matched to no client holds nothing. One query on the open items."""
        by_invoice: dict[str, int] = {}
        by_client: dict[str, int] = {}
        marks = ",".join("?" * len(REPLY_HOLDS))
        for rid, client_id, named in self.db.conn.execute(
                f"SELECT r.id, m.client_id, m.invoices FROM review r "
                f"JOIN messages m ON m.id = r.message WHERE r.resolved_at IS NULL "
                f"AND r.kind IN ({marks}) AND m.client_id IS NOT NULL ORDER BY r.id", REPLY_HOLDS):
            numbers = json.loads(named)
            for n in numbers:
                by_invoice.setdefault(n, rid)
            if not numbers:
                by_client.setdefault(client_id, rid)
        return RepliesWaiting(by_invoice, by_client)

    def history(self, invoice: str | None = None, client_id: str | None = None,
                limit: int = 200) -> list[dict[str, Any]]:
        if invoice:
            rows = self._rows("SELECT * FROM events WHERE invoice = ? ORDER BY id DESC LIMIT ?",
                              [invoice, limit])
        elif client_id:
            rows = self._rows("SELECT * FROM events WHERE client_id = ? ORDER BY id DESC LIMIT ?",
                              [client_id, limit])
        else:
            rows = self._rows("SELECT * FROM events ORDER BY id DESC LIMIT ?", [limit])
        for r in rows:
            r["detail"] = json.loads(r["detail"])
        return rows[::-1]

    def planning_state(self, now: datetime, ladder: Ladder) -> PlanningState:
        """Everything ``policy.plan`` needs, read in one consistent snapshot."""
        index = {t.name: i for i, t in enumerate(ladder.tiers)}
        conn = self.db.conn
        conn.execute("BEGIN")  # one read snapshot across the queries below
        try:
            waiting = self.replies_waiting()
            named, unnamed = waiting.by_invoice, waiting.by_client
            # The hot path of every pass (100k invoices in well under a second): plain
            # tuples in a fixed column order instead of a dict per row, and the replies
            # waiting for a person as two dictionary lookups (review ids are never 0).
            invoices = [
                Invoice(number=n, client_id=c, amount=Decimal(a), balance=Decimal(b),
                        currency=cur, issue_date=date.fromisoformat(i),
                        due_date=date.fromisoformat(d), state=InvoiceState(s), paused=bool(p),
                        pdf_path=pdf, message_id=mid,
                        promised_date=date.fromisoformat(pd) if pd else None,
                        reply_waiting=named.get(n) or unnamed.get(c))
                for n, c, a, b, cur, i, d, s, p, pdf, mid, pd in conn.execute(
                    "SELECT number, client_id, amount, balance, currency, issue_date, due_date, "
                    "state, paused, pdf_path, message_id, promised_date FROM invoices "
                    "WHERE state NOT IN ('paid', 'cancelled') AND CAST(balance AS REAL) > 0")]
            wanted = {i.client_id for i in invoices}
            approved_rows = self._rows("SELECT * FROM approvals WHERE status = 'approved'")
            wanted |= {r["client_id"] for r in approved_rows}
            clients = {r["id"]: _client(r, self.defaults) for r in self.db.query(
                "SELECT * FROM clients") if r["id"] in wanted}
            done: dict[str, int] = {}
            awaiting: dict[str, int] = {}
            for number, tier, status in conn.execute(
                    "SELECT invoice, tier, status FROM reminders"):
                i = index.get(tier)
                if i is None:
                    continue  # a tier that was removed from the ladder since
                if status == "requested":
                    awaiting[number] = i
                elif status in _DONE and i > done.get(number, -1):
                    done[number] = i
            progress = {n: InvoiceProgress(done.get(n, -1), awaiting.get(n))
                        for n in done.keys() | awaiting.keys()}
            recent: dict[str, list[datetime]] = {}
            since = iso(now - timedelta(days=8))
            for r in self.db.query(
                    "SELECT client_id, sent_at FROM outbox WHERE sent_at >= ? OR "
                    "status IN ('queued', 'sending', 'retry')", [since]):
                # a queued email counts as sent for the interval: it will go out shortly
                recent.setdefault(r["client_id"], []).append(
                    parse_time(r["sent_at"]) if r["sent_at"] else now)
            approved = [Approved(r["id"], r["client_id"], r["tier"], tuple(json.loads(r["invoices"])))
                        for r in approved_rows]
        finally:
            conn.execute("COMMIT")
        return PlanningState(clients, invoices, progress, recent, approved)

    # -- imports -----------------------------------------------------------------------------

    def import_invoices(self, rows: Sequence[InvoiceRow], now: datetime, *,
                        source: str = "csv") -> ImportResult:
        """Add or update invoices from an import, all rows in one transaction."""
        result = ImportResult()
        with self.transaction():
            for row in rows:
                cid = client_id_for(row.client)
                digest = hashlib.sha256(repr((
                    row.number, row.client, row.email, row.cc, str(row.amount), row.currency,
                    row.issue_date, row.due_date, str(row.balance), str(row.pdf), row.timezone,
                    row.locale, row.country, row.message_id)).encode()).hexdigest()
                old = self._one("SELECT * FROM invoices WHERE number = ?", [row.number])
                if old and old["import_hash"] == digest:
                    result.unchanged += 1
                    continue
                if old and old["client_id"] != cid:
                    result.errors.append(RowError(
                        row.line, f"invoice {row.number} belongs to client {old['client_id']!r} "
                                  f"in the ledger, not {row.client!r}"))
                    continue
                self._upsert_client(cid, row, now)
                values = {
                    "client_id": cid, "amount": str(row.amount), "currency": row.currency,
                    "issue_date": row.issue_date.isoformat(), "due_date": row.due_date.isoformat(),
                    "pdf_path": str(row.pdf) if row.pdf else None, "message_id": row.message_id,
                    "import_hash": digest, "updated_at": iso(now),
                }
                balance = row.amount if row.balance is None else row.balance
                if old is None:
                    state = InvoiceState.PAID if balance <= 0 else InvoiceState.OPEN
                    self.db.table("invoices").insert({
                        "number": row.number, **values, "balance": str(balance),
                        "imported_balance": str(balance), "state": state.value,
                        "created_at": iso(now)})
                    self.event(now, "imported", invoice=row.number, client_id=cid, source=source,
                               amount=str(row.amount), balance=str(balance), currency=row.currency,
                               due_date=row.due_date.isoformat())
                    result.added += 1
                    continue
                changes = {k: (old[k], v) for k, v in values.items()
                           if k not in ("import_hash", "updated_at") and old[k] != v}
                # The accounting system is the source of truth for the balance, but only when
                # it says something new: re-importing an old export must not undo payments
                # recorded here since.
                if str(balance) != old["imported_balance"]:
                    values["balance"] = values["imported_balance"] = str(balance)
                    changes["balance"] = (old["balance"], str(balance))
                self.db.table("invoices").update(row.number, values)
                if "balance" in changes:
                    self._settle_state(row.number, balance, now, "import")
                self.event(now, "updated", invoice=row.number, client_id=cid, source=source,
                           changes={k: {"from": a, "to": b} for k, (a, b) in changes.items()})
                result.updated += 1
        return result

    def _upsert_client(self, cid: str, row: InvoiceRow, now: datetime) -> None:
        values = {"name": row.client, "email": row.email, "cc": json.dumps(list(row.cc)),
                  "timezone": row.timezone, "locale": row.locale, "country": row.country}
        old = self._one("SELECT * FROM clients WHERE id = ?", [cid])
        if old is None:
            self.db.table("clients").insert({"id": cid, **values, "paused": 0, "created_at": iso(now),
                                             "updated_at": iso(now),
                                             "reply_token": secrets.token_hex(5)})
            self.event(now, "client_added", client_id=cid, name=row.client)
            return
        # keep known settings when a later export leaves the optional columns empty
        changed = {k: v for k, v in values.items() if v is not None and old[k] != v
                   and not (k == "cc" and v == "[]")}
        if changed:
            self.db.table("clients").update(cid, {**changed, "updated_at": iso(now)})
            self.event(now, "client_updated", client_id=cid,
                       changes={k: {"from": old[k], "to": v} for k, v in changed.items()})

    def import_payments(self, rows: Sequence[PaymentRow], now: datetime, *,
                        source: str = "csv") -> ImportResult:
        result = ImportResult()
        seen: dict[tuple[str, str, str, str], int] = {}
        with self.transaction():
            for row in rows:
                ident = (row.invoice_number, str(row.amount), row.date.isoformat(),
                         row.reference or "")
                # Two identical payments in one file are two payments; the same file imported
                # again is not. The occurrence count keeps them apart.
                seen[ident] = seen.get(ident, 0) + 1
                key = "import:" + hashlib.sha256(repr((ident, seen[ident])).encode()).hexdigest()
                if self._one("SELECT 1 AS x FROM payments WHERE key = ?", [key]):
                    result.unchanged += 1
                    continue
                if self.invoice(row.invoice_number) is None:
                    result.errors.append(RowError(
                        row.line, f"invoice_number {row.invoice_number!r} is not in the ledger"))
                    continue
                self.record_payment(row.invoice_number, row.amount, row.date, now, key=key,
                                    source=source, reference=row.reference)
                result.added += 1
        return result

    # -- changes -----------------------------------------------------------------------------

    def record_payment(self, number: str, amount: Decimal, paid_on: date, now: datetime, *,
                       key: str, source: str, reference: str | None = None,
                       actor: str = "arbot") -> Decimal:
        """Record a payment and return the new balance. Idempotent by ``key``."""
        with self.transaction():
            inv = self.invoice(number)
            if inv is None:
                raise LedgerError(f"no invoice {number!r} in the ledger")
            if self._one("SELECT 1 AS x FROM payments WHERE key = ?", [key]):
                return inv.balance
            self.db.table("payments").insert({
                "key": key, "invoice": inv.number, "amount": str(amount),
                "paid_on": paid_on.isoformat(), "reference": reference, "source": source,
                "recorded_at": iso(now)})
            balance = max(inv.balance - amount, Decimal(0))
            self.db.table("invoices").update(inv.number, {"balance": str(balance),
                                                    "updated_at": iso(now)})
            self.event(now, "payment", invoice=inv.number, actor=actor, amount=str(amount),
                       paid_on=paid_on.isoformat(), balance=str(balance), source=source,
                       **({"overpaid": str(amount - inv.balance)} if amount > inv.balance else {}))
            self._settle_state(inv.number, balance, now, actor)
            return balance

    def _settle_state(self, number: str, balance: Decimal, now: datetime, actor: str) -> None:
        inv = self.invoice(number)
        assert inv is not None
        if balance <= 0 and inv.state != InvoiceState.PAID:
            self.set_state(number, InvoiceState.PAID, now, actor=actor, reason="balance is zero")
        elif balance > 0 and inv.state == InvoiceState.PAID:
            self.set_state(number, InvoiceState.OPEN, now, actor=actor,
                           reason="a balance is due again")

    def set_state(self, number: str, state: InvoiceState, now: datetime, *, actor: str,
                  reason: str) -> None:
        with self.transaction():
            inv = self.invoice(number)
            if inv is None:
                raise LedgerError(f"no invoice {number!r} in the ledger")
            if inv.state == state:
                return
            try:
                check_transition(inv.state, state)
            except ValueError as e:
                raise LedgerError(str(e)) from e
            self.db.table("invoices").update(number, {"state": state.value, "updated_at": iso(now)})
            self.event(now, "state", invoice=number, actor=actor, reason=reason,
                       **{"from": inv.state.value, "to": state.value})

    def mark_paid(self, number: str, now: datetime, *, amount: Decimal | None = None,
                  actor: str) -> Decimal:
        inv = self.invoice(number)
        if inv is None:
            raise LedgerError(f"no invoice {number!r} in the ledger")
        if amount is None:
            if inv.balance <= 0:
                return inv.balance
            amount = inv.balance
        if amount <= 0:
            raise LedgerError(f"--amount {amount}: must be positive")
        key = f"manual:{number}:{iso(now)}:{amount}:{actor}"
        return self.record_payment(number, amount, now.date(), now, key=key, source="manual",
                                   actor=actor)

    def set_paused(self, *, now: datetime, actor: str, paused: bool,
                   client_id: str | None = None, invoice: str | None = None) -> None:
        kind = "paused" if paused else "resumed"
        with self.transaction():
            if invoice:
                if self.invoice(invoice) is None:
                    raise LedgerError(f"no invoice {invoice!r} in the ledger")
                self.db.table("invoices").update(invoice, {"paused": int(paused), "updated_at": iso(now)})
                self.event(now, kind, invoice=invoice, actor=actor)
            elif client_id:
                self.db.table("clients").update(client_id, {"paused": int(paused), "updated_at": iso(now)})
                self.event(now, kind, client_id=client_id, actor=actor)

    # -- plans -------------------------------------------------------------------------------

    def apply_plan(self, plan: Plan, now: datetime) -> list[int]:
        """Turn the planner's actions into rows, in one transaction. Returns new outbox ids."""
        created: list[int] = []
        with self.transaction():
            for skip in plan.skips:
                for tier in skip.tiers:
                    self.db.execute(
                        "INSERT OR IGNORE INTO reminders (invoice, tier, status, at) "
                        "VALUES (?, ?, 'skipped', ?)", [skip.invoice, tier, iso(now)])
                self.event(now, "tiers_skipped", invoice=skip.invoice, tiers=list(skip.tiers),
                           reason="a higher tier is already due")
            for req in plan.approvals:
                aid = self.db.table("approvals").insert({
                    "client_id": req.client_id, "tier": req.tier.name, "action": req.tier.action,
                    "invoices": json.dumps(list(req.invoices)), "reason": req.reason,
                    "status": "pending", "requested_at": iso(now)}).last_pk
                for n in req.invoices:
                    self.db.execute(
                        "INSERT INTO reminders (invoice, tier, status, approval_id, at) "
                        "VALUES (?, ?, 'requested', ?, ?)", [n, req.tier.name, aid, iso(now)])
                    self.event(now, "approval_requested", invoice=n, approval=aid,
                               tier=req.tier.name)
            for send in plan.sends:
                try:
                    with self.db.atomic():  # a savepoint: one send that clashes rolls back alone
                        created.append(self._queue(send, now))
                except LedgerError:
                    continue  # another process planned it first; the unique key did its job
        return created

    def _queue(self, send: Send, now: datetime) -> int:
        key = "reminder:" + ",".join(f"{n}@{t}" for n, t in send.items)
        oid = self.db.table("outbox").insert({
            "key": key, "client_id": send.client_id, "kind": "reminder",
            "tier": send.tier.name, "template": send.tier.template,
            "items": json.dumps([list(i) for i in send.items]),
            "approval_ids": json.dumps(list(send.approval_ids)), "status": "queued",
            "next_attempt_at": iso(now), "created_at": iso(now)}, ignore=True).last_pk
        if not isinstance(oid, int) or not self._one("SELECT 1 AS x FROM outbox WHERE id = ? "
                                                     "AND key = ?", [oid, key]):
            raise LedgerError(f"{key} is already in the outbox")
        for n, tier in send.items:
            # approved items already have their row (status 'approved'): take it over
            self.db.execute(
                "INSERT INTO reminders (invoice, tier, status, outbox_id, at) "
                "VALUES (?, ?, 'queued', ?, ?) ON CONFLICT (invoice, tier) DO UPDATE "
                "SET status = 'queued', outbox_id = excluded.outbox_id, at = excluded.at "
                "WHERE reminders.status = 'approved'", [n, tier, oid, iso(now)])
            if not self._one("SELECT 1 AS x FROM reminders WHERE invoice = ? AND tier = ? "
                             "AND outbox_id = ?", [n, tier, oid]):
                raise LedgerError(f"reminder {tier} for {n} was already planned")
        for aid in send.approval_ids:
            self.db.execute("UPDATE approvals SET status = 'queued', outbox_id = ? "
                            "WHERE id = ? AND status = 'approved'", [oid, aid])
        return oid

    def queue_message(self, client_id: str, template: str, invoices: Sequence[str],
                      now: datetime, *, key: str, extra: Mapping[str, Any] | None = None) -> int | None:
        """Queue a one-off message (a thank-you, a copy of an invoice). Idempotent by ``key``:
        returns None when that message was queued before."""
        with self.transaction():
            if self._one("SELECT 1 AS x FROM outbox WHERE key = ?", [key]):
                return None
            oid = self.db.table("outbox").insert({
                "key": key, "client_id": client_id, "kind": "message", "tier": template,
                "template": template, "items": json.dumps([[n, template] for n in invoices]),
                "extra": json.dumps(dict(extra or {})), "status": "queued",
                "next_attempt_at": iso(now), "created_at": iso(now)}).last_pk
            for n in invoices:
                self.event(now, "message_queued", invoice=n, template=template, outbox=oid)
            assert isinstance(oid, int)
            return oid

    # -- approvals ---------------------------------------------------------------------------

    def approvals(self, status: str | None = "pending") -> list[dict[str, Any]]:
        where, params = ("WHERE status = ?", [status]) if status else ("", [])
        rows = self._rows(f"SELECT * FROM approvals {where} ORDER BY id", params)
        for r in rows:
            r["invoices"] = json.loads(r["invoices"])
        return rows

    def approval(self, approval_id: int) -> dict[str, Any] | None:
        r = self._one("SELECT * FROM approvals WHERE id = ?", [approval_id])
        if r:
            r["invoices"] = json.loads(r["invoices"])
        return r

    def decide(self, approval_id: int, *, approve: bool, actor: str, now: datetime,
               note: str | None = None) -> dict[str, Any]:
        """Record a person's decision. Exactly one decision wins: the UPDATE only matches a
        pending request, so a double click or two approvers at once cannot both succeed."""
        status = "approved" if approve else "rejected"
        with self.transaction():
            row = self.approval(approval_id)
            if row is None:
                raise LedgerError(f"no approval request #{approval_id}")
            cur = self.db.execute(
                "UPDATE approvals SET status = ?, decided_at = ?, decided_by = ?, note = ? "
                "WHERE id = ? AND status = 'pending'",
                [status, iso(now), actor, note, approval_id])
            if cur.rowcount != 1:
                raise LedgerError(f"approval request #{approval_id} was already decided "
                                  f"({row['status']} by {row['decided_by']} at {row['decided_at']})")
            if approve and row["action"] == "task":
                # a task (call the client, ...) is done when a person marks it so: no email
                self.db.execute("UPDATE approvals SET status = 'done' WHERE id = ?", [approval_id])
                status = "done"
            self.db.execute("UPDATE reminders SET status = ?, at = ? WHERE approval_id = ?",
                            ["rejected" if not approve else
                             ("sent" if status == "done" else "approved"), iso(now), approval_id])
            for n in row["invoices"]:
                self.event(now, f"approval_{status}", invoice=n, actor=actor, approval=approval_id,
                           tier=row["tier"], **({"note": note} if note else {}))
        result = self.approval(approval_id)
        assert result is not None
        return result

    def snooze(self, approval_id: int, *, until: datetime, actor: str, now: datetime) -> dict[str, Any]:
        """Put a pending request aside until ``until``; it is asked again then."""
        with self.transaction():
            row = self.approval(approval_id)
            if row is None:
                raise LedgerError(f"no approval request #{approval_id}")
            cur = self.db.execute(
                "UPDATE approvals SET status = 'snoozed', snoozed_until = ?, decided_by = ?, "
                "decided_at = ? WHERE id = ? AND status = 'pending'",
                [iso(until), actor, iso(now), approval_id])
            if cur.rowcount != 1:
                raise LedgerError(f"approval request #{approval_id} was already decided "
                                  f"({row['status']} by {row['decided_by']} at {row['decided_at']})")
            for n in row["invoices"]:
                self.event(now, "approval_snoozed", invoice=n, actor=actor, approval=approval_id,
                           until=iso(until))
        result = self.approval(approval_id)
        assert result is not None
        return result

    def wake_snoozed(self, now: datetime) -> list[int]:
        """Requests whose snooze is over become pending again (and are asked again)."""
        with self.transaction():
            ids = [r["id"] for r in self._rows(
                "SELECT id FROM approvals WHERE status = 'snoozed' AND snoozed_until <= ?", [iso(now)])]
            for aid in ids:
                self.db.execute("UPDATE approvals SET status = 'pending', decided_by = NULL, "
                                "decided_at = NULL WHERE id = ?", [aid])
                row = self.approval(aid)
                assert row is not None
                for n in row["invoices"]:
                    self.event(now, "approval_awake", invoice=n, approval=aid)
        return ids

    def set_edited(self, approval_id: int, *, subject: str, text: str) -> None:
        """The email a person edited before approving: what goes out instead of the template."""
        if any(c in subject for c in "\r\n"):
            raise LedgerError("an email subject is one line")
        self.db.execute("UPDATE approvals SET edited_subject = ?, edited_text = ? "
                        "WHERE id = ? AND status = 'pending'", [subject, text, approval_id])

    def edited(self, approval_ids: Sequence[int]) -> tuple[str, str] | None:
        """The edited subject and text for an outbox row made from these approvals, if any."""
        for aid in approval_ids:
            r = self._one("SELECT edited_subject, edited_text FROM approvals WHERE id = ?", [aid])
            if r and r["edited_subject"] is not None and r["edited_text"] is not None:
                return r["edited_subject"], r["edited_text"]
        return None

    # -- Slack posts -------------------------------------------------------------------------

    def slack_enqueue(self, key: str, kind: str, channel: str, text: str, now: datetime, *,
                      blocks: Sequence[Mapping[str, Any]] = (), ref: int | None = None,
                      thread_key: str | None = None, update_key: str | None = None,
                      file: bytes | None = None) -> bool:
        """Queue a Slack message (or, with ``update_key``, an update of the message posted under
        that key). Idempotent by ``key``: False when it was queued before."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO slack_posts (key, kind, ref, channel, thread_key, update_key, text, "
            "blocks, file, next_attempt_at, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [key, kind, ref, channel, thread_key, update_key, text, json.dumps(list(blocks)), file,
             iso(now), iso(now)])
        return cur.rowcount == 1

    def slack_post(self, key: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM slack_posts WHERE key = ?", [key])

    def slack_posts(self, status: str | None = None) -> list[dict[str, Any]]:
        where, params = ("WHERE status = ?", [status]) if status else ("", [])
        return self._rows(f"SELECT * FROM slack_posts {where} ORDER BY id", params)

    def slack_due(self, now: datetime) -> dict[str, Any] | None:
        return self._one("SELECT * FROM slack_posts WHERE status = 'queued' AND next_attempt_at <= ? "
                         "ORDER BY next_attempt_at, id LIMIT 1", [iso(now)])

    def slack_claim(self, post_id: int, now: datetime) -> bool:
        """Take a queued post for sending; False when another thread took it first."""
        cur = self.db.execute("UPDATE slack_posts SET status = 'posting', attempts = attempts + 1, "
                              "next_attempt_at = ? WHERE id = ? AND status = 'queued'",
                              [iso(now), post_id])
        return cur.rowcount == 1

    def slack_done(self, post_id: int, now: datetime, *, ts: str, channel: str) -> None:
        self.db.execute("UPDATE slack_posts SET status = 'posted', ts = ?, channel = ?, posted_at = ?, "
                        "error = NULL WHERE id = ?", [ts, channel, iso(now), post_id])

    def slack_retry(self, post_id: int, next_at: datetime, error: str) -> None:
        self.db.execute("UPDATE slack_posts SET status = 'queued', next_attempt_at = ?, error = ? "
                        "WHERE id = ?", [iso(next_at), error, post_id])

    def slack_failed(self, post_id: int, error: str) -> None:
        self.db.execute("UPDATE slack_posts SET status = 'failed', error = ? WHERE id = ?",
                        [error, post_id])

    def slack_thread_head(self, thread_key: str) -> dict[str, Any] | None:
        """The first message of a Slack thread arbot keeps (one per disputed invoice, say)."""
        return self._one("SELECT * FROM slack_posts WHERE thread_key = ? AND update_key IS NULL "
                         "ORDER BY id LIMIT 1", [thread_key])

    def approvals_for_slack(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Approval requests Slack lacks: pending ones never posted, and decided ones whose
        message does not show the decision yet."""
        new = self._rows(
            "SELECT a.* FROM approvals a LEFT JOIN slack_posts p ON p.key = 'approval:' || a.id "
            "WHERE a.status = 'pending' AND p.id IS NULL ORDER BY a.id")
        decided = self._rows(
            "SELECT a.* FROM approvals a JOIN slack_posts p ON p.key = 'approval:' || a.id "
            "WHERE a.status != 'pending' AND a.decided_at IS NOT NULL AND NOT EXISTS ("
            "  SELECT 1 FROM slack_posts u WHERE u.key = 'approval:' || a.id || ':' || "
            "  (CASE WHEN a.status = 'snoozed' THEN 'snoozed' ELSE 'decided' END) || ':' || a.decided_at) "
            "ORDER BY a.id")
        for r in new + decided:
            r["invoices"] = json.loads(r["invoices"])
        return new, decided

    def reviews_for_slack(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Review items Slack lacks: open ones never posted, and resolved ones whose message
        does not show the decision yet."""
        new = self._rows(
            "SELECT r.* FROM review r LEFT JOIN slack_posts p ON p.key = 'review:' || r.id "
            "WHERE r.resolved_at IS NULL AND p.id IS NULL ORDER BY r.id")
        decided = self._rows(
            "SELECT r.* FROM review r JOIN slack_posts p ON p.key = 'review:' || r.id "
            "WHERE r.resolved_at IS NOT NULL AND NOT EXISTS ("
            "  SELECT 1 FROM slack_posts u WHERE u.key = 'review:' || r.id || ':decided') ORDER BY r.id")
        for r in new + decided:
            r["detail"] = json.loads(r["detail"])
        return new, decided

    def slack_interrupted(self) -> list[dict[str, Any]]:
        """Posts a crash left in 'posting': Slack may or may not have them."""
        return self._rows("SELECT * FROM slack_posts WHERE status = 'posting' ORDER BY id")

    # -- outbox ------------------------------------------------------------------------------

    def outbox_due(self, now: datetime, limit: int = 100) -> list[OutboxRow]:
        return [_outbox_row(r) for r in self._rows(
            "SELECT * FROM outbox WHERE status IN ('queued', 'retry') AND next_attempt_at <= ? "
            "ORDER BY next_attempt_at, id LIMIT ?", [iso(now), limit])]

    def outbox(self, status: str | None = None) -> list[OutboxRow]:
        where, params = ("WHERE status = ?", [status]) if status else ("", [])
        return [_outbox_row(r) for r in self._rows(f"SELECT * FROM outbox {where} ORDER BY id",
                                                   params)]

    def outbox_raw(self, outbox_id: int) -> bytes | None:
        r = self._one("SELECT raw FROM outbox WHERE id = ?", [outbox_id])
        return bytes(r["raw"]) if r and r["raw"] is not None else None

    def claim(self, outbox_id: int, now: datetime, message_id: str) -> bool:
        """Claim a queued row for sending. The row says 'sending' before any network call."""
        cur = self.db.execute(
            "UPDATE outbox SET status = 'sending', claimed_at = ?, attempts = attempts + 1, "
            "message_id = ? WHERE id = ? AND status IN ('queued', 'retry')",
            [iso(now), message_id, outbox_id])
        return cur.rowcount == 1

    def drop_items(self, row: OutboxRow, numbers: Sequence[str], now: datetime,
                   reason: str) -> OutboxRow | None:
        """The re-check found invoices that must not be reminded any more: take them off the
        row (their tier did not go out, so it may be planned again later). Returns the
        remaining row, or None if nothing is left and the row is cancelled."""
        keep = tuple(i for i in row.items if i[0] not in numbers)
        with self.transaction():
            for n, tier in row.items:
                if n in numbers:
                    self.db.execute("DELETE FROM reminders WHERE invoice = ? AND tier = ? AND "
                                    "outbox_id = ?", [n, tier, row.id])
                    self.event(now, "reminder_withdrawn", invoice=n, tier=tier, reason=reason)
            if keep:
                self.db.execute("UPDATE outbox SET items = ? WHERE id = ?",
                                [json.dumps([list(i) for i in keep]), row.id])
            else:
                self.db.execute("UPDATE outbox SET status = 'cancelled', error = ? WHERE id = ?",
                                [reason, row.id])
                for aid in row.approval_ids:
                    self.db.execute("UPDATE approvals SET status = 'cancelled' WHERE id = ?", [aid])
        if not keep:
            return None
        return OutboxRow(**{**row.__dict__, "items": keep})

    def mark_sent(self, row: OutboxRow, now: datetime, *, subject: str,
                  recipients: Sequence[str], raw: bytes) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?, subject = ?, recipients = ?, "
                "raw = ?, error = NULL WHERE id = ?",
                [iso(now), subject, json.dumps(list(recipients)), raw, row.id])
            self.db.execute("UPDATE reminders SET status = 'sent', at = ? WHERE outbox_id = ?",
                            [iso(now), row.id])
            for aid in row.approval_ids:
                self.db.execute("UPDATE approvals SET status = 'sent' WHERE id = ?", [aid])
            # the row in hand predates the claim, which set the Message-ID
            (message_id,), = self.db.execute("SELECT message_id FROM outbox WHERE id = ?",
                                              [row.id]).fetchall()
            for n, tier in row.items:
                self.event(now, "reminder_sent", invoice=n, tier=tier, outbox=row.id,
                           message_id=message_id, recipients=len(recipients))

    def mark_retry(self, row: OutboxRow, now: datetime, next_at: datetime, error: str) -> None:
        self.db.execute("UPDATE outbox SET status = 'retry', next_attempt_at = ?, error = ? "
                        "WHERE id = ?", [iso(next_at), error, row.id])

    def mark_failed(self, row: OutboxRow, now: datetime, error: str, *, status: str) -> None:
        """``status`` is 'failed' (the server said no: nothing was sent) or 'unknown' (the
        connection broke during the hand-over: it may have been sent, a person decides)."""
        assert status in ("failed", "unknown")
        with self.transaction():
            self.db.execute("UPDATE outbox SET status = ?, error = ? WHERE id = ?",
                            [status, error, row.id])
            self.db.execute("UPDATE reminders SET status = ?, at = ? WHERE outbox_id = ?",
                            [status, iso(now), row.id])
            for n, tier in row.items:
                self.event(now, f"reminder_{status}", invoice=n, tier=tier, outbox=row.id,
                           error=error)

    def resolve_unknown(self, outbox_id: int, *, was_sent: bool, now: datetime,
                        actor: str, statuses: Sequence[str] = ("unknown",)) -> None:
        """Settle an ambiguous send: it arrived, or it may be queued again. A person does
        this, or arbot itself on finding the message in the Sent folder."""
        row = next((r for s in statuses for r in self.outbox(s) if r.id == outbox_id), None)
        if row is None:
            raise LedgerError(f"no outbox message #{outbox_id} waiting for a decision")
        with self.transaction():
            if was_sent:
                self.db.execute("UPDATE outbox SET status = 'sent', sent_at = ? WHERE id = ?",
                                [iso(now), outbox_id])
                self.db.execute("UPDATE reminders SET status = 'sent' WHERE outbox_id = ?",
                                [outbox_id])
            else:
                self.db.execute("UPDATE outbox SET status = 'queued', next_attempt_at = ? "
                                "WHERE id = ?", [iso(now), outbox_id])
                self.db.execute("UPDATE reminders SET status = 'queued' WHERE outbox_id = ?",
                                [outbox_id])
            for n, tier in row.items:
                self.event(now, "send_resolved", invoice=n, tier=tier, actor=actor,
                           sent=was_sent)

    def recipients_sent_since(self, since: datetime) -> int:
        total = 0
        for r in self.db.query("SELECT recipients FROM outbox WHERE sent_at >= ? AND "
                               "recipients IS NOT NULL", [iso(since)]):
            total += len(json.loads(r["recipients"]))
        return total

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
                        "SET value = excluded.value", [key, value])

    def meta(self, key: str) -> str | None:
        r = self._one("SELECT value FROM meta WHERE key = ?", [key])
        return str(r["value"]) if r else None

    def last_sent_at(self) -> datetime | None:
        r = self._one("SELECT max(sent_at) AS t FROM outbox WHERE sent_at IS NOT NULL")
        return parse_time(r["t"]) if r and r["t"] else None

    # -- the mailbox -------------------------------------------------------------------------

    def cursor(self, folder: str) -> tuple[int, int] | None:
        """(UIDVALIDITY, last UID taken in) for a folder, None before its first read."""
        r = self._one("SELECT uidvalidity, last_uid FROM cursors WHERE folder = ?", [folder])
        return (int(r["uidvalidity"]), int(r["last_uid"])) if r else None

    def set_cursor(self, folder: str, uidvalidity: int, last_uid: int, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO cursors (folder, uidvalidity, last_uid, updated_at) VALUES (?,?,?,?) "
            "ON CONFLICT (folder) DO UPDATE SET uidvalidity = excluded.uidvalidity, "
            "last_uid = excluded.last_uid, updated_at = excluded.updated_at",
            [folder, uidvalidity, last_uid, iso(now)])

    def take_in_all(self, messages: Sequence[StoredMessage], now: datetime) -> list[int | None]:
        """Record messages read from one folder and move its cursor past the last, in one
        transaction: a crash before the commit reads them again; after, never. A message
        whose ``key`` was taken in before (the same Message-ID, after a UIDVALIDITY change)
        is not recorded twice: its id comes back as None."""
        ids: list[int | None] = []
        if not messages:
            return ids
        at = iso(now)
        with self.transaction():
            last = messages[-1]
            self.set_cursor(last.folder, last.uidvalidity, max(m.uid for m in messages), now)
            for m in messages:
                cur = self.db.execute(
                    "INSERT OR IGNORE INTO messages (key, role, folder, uidvalidity, uid, "
                    "message_id, date, from_addr, to_addrs, subject, kind, client_id, invoices, "
                    "matched_by, evidence, trusted, status, raw, received_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [m.key, m.role, m.folder, m.uidvalidity, m.uid, m.message_id,
                     iso(m.date) if m.date else None, m.sender, json.dumps(list(m.recipients)),
                     m.subject, m.kind, m.client_id, json.dumps(list(m.invoices)), m.matched_by,
                     json.dumps(dict(m.evidence), default=str, sort_keys=True), int(m.trusted),
                     m.status, m.raw, at])
                if cur.rowcount != 1:
                    ids.append(None)
                    continue
                mid = cur.lastrowid
                assert isinstance(mid, int)
                ids.append(mid)
                if m.review:
                    self.add_review(f"message:{mid}", m.review[0], m.review[1], now, message=mid,
                                    detail=m.evidence)
                for n in m.invoices or ((None,) if m.client_id else ()):
                    self.event(now, f"{m.role}_{m.kind}", invoice=n, client_id=m.client_id,
                               message=mid, matched_by=m.matched_by, subject=m.subject,
                               trusted=m.trusted)
        return ids

    def messages(self, *, role: str | None = None, status: str | None = None,
                 kind: str | None = None) -> list[dict[str, Any]]:
        where, params = [], []
        for col, v in (("role", role), ("status", status), ("kind", kind)):
            if v is not None:
                where.append(f"{col} = ?")
                params.append(v)
        sql = "SELECT * FROM messages" + (" WHERE " + " AND ".join(where) if where else "")
        rows = self._rows(sql + " ORDER BY id", params)
        for r in rows:
            r["invoices"] = json.loads(r["invoices"])
            r["to_addrs"] = json.loads(r["to_addrs"])
            r["evidence"] = json.loads(r["evidence"])
        return rows

    def add_review(self, key: str, kind: str, summary: str, now: datetime, *,
                   message: int | None = None, detail: Mapping[str, Any] | None = None) -> int | None:
        """Put something on the review list for a person; idempotent by ``key``."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO review (key, kind, message, summary, detail, created_at) "
            "VALUES (?,?,?,?,?,?)", [key, kind, message, summary,
                                     json.dumps(dict(detail or {}), default=str, sort_keys=True),
                                     iso(now)])
        return cur.lastrowid if cur.rowcount == 1 else None

    def review(self, *, open_only: bool = True) -> list[dict[str, Any]]:
        where = "WHERE resolved_at IS NULL" if open_only else ""
        rows = self._rows(f"SELECT * FROM review {where} ORDER BY id")
        for r in rows:
            r["detail"] = json.loads(r["detail"])
        return rows

    def resolve_review(self, review_id: int, *, actor: str, resolution: str, now: datetime) -> bool:
        cur = self.db.execute("UPDATE review SET resolved_at = ?, resolved_by = ?, resolution = ? "
                              "WHERE id = ? AND resolved_at IS NULL",
                              [iso(now), actor, resolution, review_id])
        return cur.rowcount == 1

    def set_quiet(self, client_id: str, until: datetime, now: datetime, *, reason: str) -> None:
        """Hold a client's automatic reminders until ``until`` (never shortens a hold)."""
        with self.transaction():
            old = self._one("SELECT quiet_until FROM clients WHERE id = ?", [client_id])
            if old is None or (old["quiet_until"] and parse_time(old["quiet_until"]) >= until):
                return
            self.db.execute("UPDATE clients SET quiet_until = ?, quiet_reason = ? WHERE id = ?",
                            [iso(until), reason, client_id])
            self.event(now, "quiet_period", client_id=client_id, until=iso(until), reason=reason)

    # -- replies -----------------------------------------------------------------------------

    def next_reply(self) -> dict[str, Any] | None:
        """The oldest inbox message not yet understood."""
        row = self._one("SELECT * FROM messages WHERE role = 'inbox' AND status = 'new' "
                        "ORDER BY id LIMIT 1")
        if row is not None:
            row["invoices"] = json.loads(row["invoices"])
            row["evidence"] = json.loads(row["evidence"])
        return row

    def finish_reply(self, message: int, *, status: str, label: str, confidence: float,
                     reading: Mapping[str, Any]) -> None:
        self.db.execute("UPDATE messages SET status = ?, label = ?, confidence = ?, reading = ? "
                        "WHERE id = ?", [status, label, confidence,
                                         json.dumps(dict(reading), default=str, sort_keys=True),
                                         message])

    def message(self, message: int) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM messages WHERE id = ?", [message])
        if row is not None:
            for k in ("invoices", "to_addrs", "evidence", "reading"):
                row[k] = json.loads(row[k])
        return row

    def set_promise(self, number: str, day: date, now: datetime, *, actor: str,
                    reason: str) -> None:
        with self.transaction():
            self.set_state(number, InvoiceState.PROMISED, now, actor=actor, reason=reason)
            self.db.table("invoices").update(number, {"promised_date": day.isoformat(),
                                                      "updated_at": iso(now)})
            self.event(now, "promise_recorded", invoice=number, actor=actor, date=day.isoformat(),
                       reason=reason)

    def promised(self) -> list[Invoice]:
        waiting = self.replies_waiting()
        return [_invoice(r, waiting) for r in self._rows(
            "SELECT * FROM invoices WHERE state = 'promised' ORDER BY promised_date, number")]

    def review_item(self, review_id: int) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM review WHERE id = ?", [review_id])
        if row is not None:
            row["detail"] = json.loads(row["detail"])
        return row

    def address_failed(self, client_id: str, address: str, now: datetime, *,
                       reason: str, message: int | None = None) -> bool:
        """Mark one of a client's addresses as bouncing; False if it is not theirs or was
        marked before. Later emails go to the client's other addresses."""
        with self.transaction():
            client = self.client(client_id)
            address = address.lower()
            if client is None or address not in {a.lower() for a in (client.email, *client.cc)} \
                    or address in client.failing:
                return False
            self.db.execute("UPDATE clients SET failing = ?, updated_at = ? WHERE id = ?",
                            [json.dumps([*client.failing, address]), iso(now), client_id])
            self.event(now, "address_failing", client_id=client_id, address=address,
                       reason=reason, message=message)
            return True

    def unsaved_copies(self, limit: int = 20) -> list[dict[str, Any]]:
        """Sent emails whose copy is not yet in the Sent folder."""
        return self._rows("SELECT id, message_id, raw, sent_at FROM outbox WHERE status = 'sent' "
                          "AND copy_saved = 0 AND raw IS NOT NULL ORDER BY id LIMIT ?", [limit])

    def mark_copy_saved(self, outbox_id: int, how: str) -> None:
        self.db.execute("UPDATE outbox SET copy_saved = ? WHERE id = ?",
                        [1 if how == "appended" else 2, outbox_id])

    def in_doubt(self, claimed_before: datetime) -> list[OutboxRow]:
        """Rows a crash left in 'sending' (claimed long ago), and rows marked 'unknown', that
        have a Message-ID to look for."""
        rows = self._rows("SELECT * FROM outbox WHERE message_id IS NOT NULL AND "
                          "((status = 'sending' AND claimed_at < ?) OR status = 'unknown') "
                          "ORDER BY id", [iso(claimed_before)])
        return [_outbox_row(r) for r in rows]
