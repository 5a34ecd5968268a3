"""The outbox step: claim, record, then send, one message per call.

STYLE.md's discipline: a conditional UPDATE claims the row and writes 'sending' before any
network call; an unambiguous failure is retried later or recorded as failed; a connection
lost during the hand-over marks the row 'unknown' for a person and is never resent on its
own. Just before sending, every covered invoice is checked again against the ledger.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.config import Sending
from bot.core.compose import AddressError, make_message_id, mask
from bot.core.policy import hold_reason
from bot.ledger import Ledger, OutboxRow
from bot.mailer import Mailer
from bot.smtp import SendError, Transport
from bot.templates import TemplateError

log = logging.getLogger(__name__)

#: How long a claimed send may stay "sending" before it counts as interrupted by a crash.
INTERRUPTED_AFTER = timedelta(minutes=10)


class Outbox:
    def __init__(self, ledger: Ledger, mailer: Mailer, transport: Transport, sending: Sending, *,
                 clock: Callable[[], datetime], sleep: Callable[[float], None],
                 in_sent_folder: Callable[[str], bool] | None = None) -> None:
        self.ledger = ledger
        self.mailer = mailer
        self.transport = transport
        self.sending = sending
        self.clock = clock
        self.sleep = sleep
        # with a mailbox: whether a Message-ID is in the Sent folder (the server filed it)
        self.in_sent_folder = in_sent_folder
        self._looked_up: set[int] = set()
        self._last_sent: datetime | None = None

    def _pace(self) -> None:
        """Keep to messages_per_minute (providers throttle beyond it: Exchange Online allows 30)."""
        if self._last_sent is None:
            return
        gap = timedelta(seconds=60 / self.sending.messages_per_minute)
        wait = (self._last_sent + gap - self.clock()).total_seconds()
        if wait > 0:
            self.sleep(wait)

    def settle_interrupted(self) -> bool:
        """Settle sends a crash left in doubt: a row still "sending" long after its claim, or
        one marked "unknown". Found in the Sent folder means sent. Otherwise nobody knows
        whether the server took the message, so a person decides (``arbot outbox``); it is
        never sent again on its own."""
        now = self.clock()
        for row in self.ledger.in_doubt(now - INTERRUPTED_AFTER):
            if self.in_sent_folder is not None and row.id not in self._looked_up:
                self._looked_up.add(row.id)  # once a run: the Sent folder is not free to search
                assert row.message_id is not None
                if self.in_sent_folder(row.message_id):
                    self.ledger.resolve_unknown(row.id, was_sent=True, now=now,
                                                actor="arbot (found in the Sent folder)",
                                                statuses=("sending", "unknown"))
                    log.info("outbox #%d: found in the Sent folder; recorded as sent", row.id)
                    continue
            if row.status == "sending":
                where = " and the message is not in the Sent folder" if self.in_sent_folder else ""
                self.ledger.mark_failed(row, now, f"arbot stopped while sending{where}: it may "
                                                  f"or may not have been delivered", status="unknown")
                log.warning("outbox #%d: interrupted while sending; a person decides", row.id)
        return False

    def send_one_message(self) -> bool:
        """Send the next due message. Returns whether there may be more."""
        now = self.clock()
        rows = self.ledger.outbox_due(now, limit=1)
        if not rows:
            return False
        self.process(rows[0])
        return True

    def process(self, row: OutboxRow) -> None:
        now = self.clock()
        client = self.ledger.client(row.client_id)
        if client is None:
            self.ledger.mark_failed(row, now, f"client {row.client_id!r} is gone", status="failed")
            return
        invoices = {i.number: i for i in self.ledger.invoices(row.invoices)}
        if row.kind == "reminder":
            # the re-check: never remind a paid, promised, disputed or paused invoice, nor one
            # a client's reply about waits for a person (it may have come in since the row was
            # queued; ``Ledger.invoices`` reads the review list with the invoices)
            stale = {n: (hold_reason(invoices[n], client) if n in invoices else "invoice removed")
                     for n in row.invoices}
            stale = {n: why for n, why in stale.items() if why}
            if stale:
                reason = "; ".join(f"{n}: {why}" for n, why in sorted(stale.items()))
                kept = self.ledger.drop_items(row, list(stale), now, reason)
                log.info("outbox #%d: re-check withdrew %s", row.id, reason)
                if kept is None:
                    return
                row = kept
        covered = [invoices[n] for n in row.invoices if n in invoices]

        message_id = make_message_id(self.mailer.config.mail.domain, hint=str(row.id))
        try:
            composed = self.mailer.compose(row.template, client, covered, now,
                                           message_id=message_id, extra=row.extra,
                                           edited=self.ledger.edited(row.approval_ids))
        except TemplateError as e:
            # a template that fails to render is never sent: the failure goes to a person
            self.ledger.mark_failed(row, now, f"template error: {e}", status="failed")
            log.error("outbox #%d: not sent, template error: %s", row.id, e)
            return
        except AddressError as e:
            self.ledger.mark_failed(row, now, str(e), status="failed")
            log.error("outbox #%d: not sent: %s", row.id, e)
            return

        rcpts = composed.envelope.recipients
        day_used = self.ledger.recipients_sent_since(now - timedelta(days=1))
        if day_used + len(rcpts) > self.sending.recipients_per_day:
            later = now + timedelta(hours=1)
            self.ledger.mark_retry(row, now, later, "daily recipient limit reached")
            log.warning("outbox #%d: daily recipient limit (%d) reached, waiting until %s",
                        row.id, self.sending.recipients_per_day, later.isoformat())
            return

        self._pace()
        now = self.clock()
        if not self.ledger.claim(row.id, now, message_id):
            return  # someone else claimed it
        for note in composed.notes:
            for n in row.invoices:
                if note.startswith(n + ":"):
                    self.ledger.event(now, "attachment_fallback", invoice=n, note=note)
        try:
            self.transport.send(composed.message, composed.envelope.sender, rcpts)
        except SendError as e:
            self._failed(row, e)
            return
        sent_at = self.clock()
        self._last_sent = sent_at
        self.ledger.mark_sent(row, sent_at, subject=composed.rendered.subject, recipients=rcpts,
                              raw=composed.message.as_bytes())
        log.info("outbox #%d: sent %s (%s) to %s, %d attachment(s)", row.id, row.template,
                 ",".join(row.invoices), ",".join(mask(r) for r in rcpts),
                 len(composed.attachments))

    def _failed(self, row: OutboxRow, e: SendError) -> None:
        now = self.clock()
        if e.ambiguous:
            self.ledger.mark_failed(row, now, str(e), status="unknown")
            log.error("outbox #%d: delivery unknown, a person must check: %s", row.id, e)
        elif e.transient and row.attempts + 1 < self.sending.max_attempts:
            later = now + timedelta(minutes=self.sending.retry_after_minutes * (row.attempts + 1))
            self.ledger.mark_retry(row, now, later, str(e))
            log.warning("outbox #%d: will try again at %s: %s", row.id, later.isoformat(), e)
        else:
            self.ledger.mark_failed(row, now, str(e), status="failed")
            log.error("outbox #%d: failed: %s", row.id, e)
