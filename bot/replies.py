"""Client replies: reading one into a ``classify.Reading`` (from a whole message in the inbox
or an ``.eml`` file, or from its fields for ``arbot classify --jsonl``), and acting on it."""

from __future__ import annotations

import email
import email.policy
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.core import automail, calendar, classify, replytext
from bot.core.classify import Label
from bot.core.compose import mask
from bot.core.model import Invoice, InvoiceState
from bot.endpoint import SecondOpinion
from bot.ledger import Ledger
from bot.templates import format_date, format_money

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def message_text(msg: EmailMessage) -> str:
    """The new words of a message: its plain part (else its HTML part), quotes cut away."""
    try:
        part = msg.get_body(("plain", "html"))
        if part is None:
            return ""
        content = part.get_content()
    except (KeyError, LookupError, ValueError, AssertionError):
        return ""
    if not isinstance(content, str):
        return ""
    return replytext.new_text(content, html=part.get_content_type() == "text/html")


def sent_at(value: str | None) -> datetime | None:
    """A Date header (RFC 5322) or an ISO timestamp, keeping the sender's offset."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def read_message(raw: bytes, *, opinion: SecondOpinion | None = None) -> classify.Reading:
    """The reading of a whole message: the rules', checked by ``opinion`` when one is given."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    verdict = automail.recognise(msg)
    kind = {automail.Kind.BOUNCE: "bounce", automail.Kind.DELAY: "delay",
            automail.Kind.AUTO_REPLY: "auto_reply", automail.Kind.AUTOMATED: "automated",
            automail.Kind.PERSON: "person"}[verdict.kind]
    subject, sent = str(msg.get("Subject", "")), sent_at(str(msg.get("Date", "")))
    reading = classify.classify(subject, message_text(msg), sent=sent, automatic=kind,
                                failed=[r.address for r in verdict.recipients])
    return opinion.read(subject, reading, automatic=kind, sent=sent) if opinion else reading


def read_fields(fields: Mapping[str, Any], *, opinion: SecondOpinion | None = None) -> classify.Reading:
    """A reply given as ``subject``, ``body`` and optional ``date`` and ``from`` (an HTML
    body is recognised by its markup)."""
    body = str(fields.get("body") or "")
    text = replytext.new_text(body, html=replytext.looks_like_html(body))
    subject, sent = str(fields.get("subject") or ""), sent_at(fields.get("date"))
    reading = classify.classify(subject, text, sent=sent)
    return opinion.read(subject, reading, sent=sent) if opinion else reading


def as_json(reading: classify.Reading) -> dict[str, Any]:
    return {"label": reading.label.value, "confidence": reading.confidence,
            "promise_date": reading.promise_date.isoformat() if reading.promise_date else None,
            "evidence": list(reading.evidence),
            "return_date": reading.return_date.isoformat() if reading.return_date else None,
            "failed_address": reading.failed_address, "amounts": list(reading.amounts),
            "references": list(reading.references), "copy_request": reading.copy_request}


# -- acting on replies -----------------------------------------------------------------------

def can_wait_for(day: date, today: date, max_days: int) -> bool:
    """Whether reminders may wait for a promised day: not past, and no more than ``max_days``
    ahead (any other promise goes to a person)."""
    return today <= day <= today + timedelta(days=max_days)


#: What a person may decide on each kind of review item.
CHOICES: dict[str, tuple[str, ...]] = {
    "confirm_payment": ("received", "not_received"),
    "dispute": ("resolved", "cancelled"),
    "label_reply": tuple(label.value for label in classify.LABELS),
}

#: States from which a reply may move an invoice (a paid, cancelled or disputed invoice is
#: left alone: a person already decided about it).
_ACTIVE = (InvoiceState.OPEN, InvoiceState.PROMISED, InvoiceState.IN_COLLECTIONS)


class DecisionError(Exception):
    """A decision that cannot be made: unknown item, wrong choice, already decided."""


class Replies:
    """Loop steps that understand each reply taken in and act on it as DESIGN.md's table says,
    and the decisions a person takes on what a reply could not settle alone.

    A reply acts on its own only when its confidence reaches ``replies.act_threshold`` and
    it came from one of the client's own addresses; anything else goes to the review list
    with the suggested label and changes nothing. Every action is recorded in the history of
    the invoices it touched, with the message that caused it. ``opinion``, when
    ``[classifier]`` is on, checks the rules' reading of each reply (``bot/endpoint.py``)."""

    def __init__(self, ledger: Ledger, config: Config, *, clock: Clock,
                 opinion: SecondOpinion | None = None) -> None:
        self.ledger = ledger
        self.config = config
        self.clock = clock
        self.opinion = opinion

    # the loop steps

    def understand_one_reply(self) -> bool:
        row = self.ledger.next_reply()
        if row is None:
            return False
        now = self.clock()
        try:
            reading = read_message(row["raw"], opinion=self.opinion)
        except Exception as e:  # noqa: BLE001 - one bad message must not stop the loop
            log.exception("replies: message #%d could not be read; quarantined", row["id"])
            with self.ledger.transaction():
                self.ledger.add_review(f"reply:{row['id']}", "quarantine",
                                       f"reply #{row['id']} could not be read ({type(e).__name__})",
                                       now, message=row["id"], detail={"error": str(e)})
                self.ledger.finish_reply(row["id"], status="review", label="unreadable",
                                         confidence=0.0, reading={"error": str(e)})
            return True
        with self.ledger.transaction():
            status, action = self._act(row, reading, now)
            self.ledger.finish_reply(row["id"], status=status, label=reading.label.value,
                                     confidence=reading.confidence,
                                     reading={**as_json(reading), "text": reading.text[:4000],
                                              "action": action})
        log.info("replies: message #%d read as %s (%.2f): %s", row["id"], reading.label.value,
                 reading.confidence, action)
        return True

    def check_promises(self) -> bool:
        """Promises whose date and grace period have passed unpaid: the invoice is open again
        and the client gets the "promise missed" message (then the ladder goes on)."""
        now = self.clock()
        grace = timedelta(days=self.config.replies.promise_grace_days)
        lapsed: dict[str, list[Invoice]] = {}
        for inv in self.ledger.promised():
            client = self.ledger.client(inv.client_id)
            if client is None or inv.promised_date is None:
                continue
            if calendar.local(now, client.timezone).date() <= inv.promised_date + grace:
                continue
            p = self.config.policy
            if calendar.closed_reason(now, timezone=client.timezone, country=client.country,
                                      business_days=p.business_days, window_start=p.send_window_start,
                                      window_end=p.send_window_end):
                continue   # the message goes out in the client's next send window
            lapsed.setdefault(client.id, []).append(inv)
        for client_id, invoices in lapsed.items():
            numbers = [i.number for i in invoices]
            day = max(i.promised_date for i in invoices if i.promised_date)
            with self.ledger.transaction():
                for inv in invoices:
                    self.ledger.set_state(inv.number, InvoiceState.OPEN, now, actor="arbot",
                                          reason=f"the promise to pay by {inv.promised_date} "
                                                 f"passed without payment")
                self.ledger.queue_message(client_id, "promise_missed", numbers, now,
                                          key=f"promise_missed:{client_id}:{','.join(numbers)}:{day}")
            log.info("replies: promise of %s by %s missed", ",".join(numbers), day)
        return False  # one pass handles every lapsed promise

    # deciding what a reply does

    def _act(self, row: dict[str, Any], r: classify.Reading, now: datetime,
             *, vouched: str | None = None) -> tuple[str, str]:
        """Act on one reply. Returns the message's new status and what was done. ``vouched``
        names the person who confirmed the label: the reply then acts whatever its
        confidence and sender."""
        mid: int = row["id"]
        client_id: str | None = row["client_id"]
        may_act = vouched is not None or (
            bool(row["trusted"]) and r.confidence >= self.config.replies.act_threshold)
        actor = vouched or "reply"
        because = f"reply #{mid} ({r.label.value}, {r.confidence:.2f})"
        label = r.label

        if label is Label.BOUNCE:
            return self._bounce(row, r, now)
        if label is Label.OUT_OF_OFFICE:
            return self._absent(row, r, now, may_act)
        if client_id is None:
            return self._to_person(row, r, now, "label_reply", "matches no client")
        invoices = self._active(row["invoices"])
        if label in (Label.PAID, Label.PROMISE, Label.DISPUTE) and not may_act:
            why = "the sender is not one of the client's addresses" if not row["trusted"] else \
                f"confidence {r.confidence:.2f} is below {self.config.replies.act_threshold}"
            return self._to_person(row, r, now, "label_reply", why)
        if label in (Label.PAID, Label.PROMISE, Label.DISPUTE) and not invoices:
            return self._to_person(row, r, now, "label_reply", "names no open invoice")

        if label is Label.PAID:
            moved = self._move(invoices, InvoiceState.PAYMENT_CLAIMED, now, actor, because)
            self.ledger.add_review(
                f"confirm:{mid}", "confirm_payment",
                f"{self._who(client_id)} says {', '.join(moved)} paid"
                + (f" ({', '.join(r.amounts)})" if r.amounts else "") + ": confirm receipt",
                now, message=mid, detail=self._detail(r, moved, "confirm_payment"))
            return "done", f"payment claimed for {', '.join(moved)}; reminders stop until a person " \
                           f"confirms receipt"
        if label is Label.PROMISE:
            day = r.promise_date
            today = self._today(client_id, now)
            if day is None:
                return self._to_person(row, r, now, "label_reply", "a promise without a date")
            if not can_wait_for(day, today, self.config.replies.max_promise_days):
                return self._to_person(row, r, now, "label_reply",
                                       f"promised date {day} is in the past or too far away")
            for n in invoices:
                self.ledger.set_promise(n, day, now, actor=actor, reason=because)
            return "done", f"promise to pay {', '.join(invoices)} by {day}; reminders wait until " \
                           f"{day + timedelta(days=self.config.replies.promise_grace_days)}"
        if label is Label.DISPUTE:
            moved = self._move(invoices, InvoiceState.DISPUTED, now, actor, because)
            self.ledger.add_review(
                f"dispute:{mid}", "dispute",
                f"{self._who(client_id)} disputes {', '.join(moved)}: {_quote(r.text)}", now,
                message=mid, detail=self._detail(r, moved, "dispute"))
            return "done", f"dispute on {', '.join(moved)}; reminders stop until a person resolves it"
        if label is Label.QUESTION and r.copy_request and self.config.replies.answer_copy_requests \
                and (may_act or (row["trusted"] and r.confidence >= 0.5)) and row["invoices"]:
            numbers = list(row["invoices"])
            oid = self.ledger.queue_message(client_id, "invoice_copy", numbers, now,
                                            key=f"copy:{mid}")
            for n in numbers:
                self.ledger.event(now, "copy_requested", invoice=n, message=mid, outbox=oid)
            return "done", f"copy of {', '.join(numbers)} sent in answer"
        kind = "question" if label is Label.QUESTION else "reply"
        return self._to_person(row, r, now, kind, "needs an answer from a person"
                               if label is Label.QUESTION else "for a person to read")

    def _bounce(self, row: dict[str, Any], r: classify.Reading, now: datetime) -> tuple[str, str]:
        mid, client_id = row["id"], row["client_id"]
        if row["kind"] == "delay":
            for n in row["invoices"] or [None]:
                self.ledger.event(now, "delivery_delayed", invoice=n, client_id=client_id,
                                  message=mid, address=r.failed_address)
            return "done", "delivery delayed; the mail system keeps trying"
        address = r.failed_address
        marked = bool(client_id and address and self.ledger.address_failed(
            client_id, address, now, reason=f"bounce #{mid}", message=mid))
        if marked:
            client = self.ledger.client(client_id)
            left = client.working_addresses if client else ()
            then = f"next emails go to {mask(left[0])}" if left else \
                "no working address is left: reminders to this client wait for a new one"
            summary = f"{mask(address or '')} of {self._who(client_id)} bounced; {then}"
        else:
            summary = f"a delivery failure{' for ' + mask(address) if address else ''} " \
                      f"that names no known client address"
        self.ledger.add_review(f"bounce:{mid}", "bounce", summary, now, message=mid,
                               detail=self._detail(r, row["invoices"], "bounce"))
        return "done", summary

    def _absent(self, row: dict[str, Any], r: classify.Reading, now: datetime,
                may_act: bool) -> tuple[str, str]:
        client_id = row["client_id"]
        back = r.return_date
        if client_id is None or back is None or not may_act:
            for n in row["invoices"] or [None]:
                self.ledger.event(now, "out_of_office", invoice=n, client_id=client_id,
                                  message=row["id"], back=str(back) if back else None)
            return "done", "out of office" + (f" until {back}" if back else ", no return date")
        client = self.ledger.client(client_id)
        assert client is not None
        today = calendar.local(now, client.timezone).date()
        if back > today + timedelta(days=self.config.replies.max_promise_days):
            return self._to_person(row, r, now, "label_reply", f"away until {back}: a long absence")
        start = datetime.combine(back, time(0), tzinfo=ZoneInfo(client.timezone))
        self.ledger.set_quiet(client_id, start, now,
                              reason=f"the client's contact is away (out-of-office reply #{row['id']})")
        return "done", f"out of office; reminders wait until {back}"

    def _to_person(self, row: dict[str, Any], r: classify.Reading, now: datetime, kind: str,
                   why: str) -> tuple[str, str]:
        mid = row["id"]
        who = self._who(row["client_id"]) if row["client_id"] else mask(row["from_addr"] or "")
        summary = f"{r.label.value} ({r.confidence:.2f}) from {who}: {why}: {_quote(r.text)}"
        self.ledger.add_review(f"reply:{mid}", kind, summary, now, message=mid,
                               detail=self._detail(r, row["invoices"], kind))
        for n in row["invoices"] or [None]:
            self.ledger.event(now, "reply_to_person", invoice=n, client_id=row["client_id"],
                              message=mid, label=r.label.value, why=why)
        return "review", f"to a person: {why}"

    # helpers

    def _active(self, numbers: Sequence[str]) -> list[str]:
        return [i.number for i in self.ledger.invoices(numbers) if i.state in _ACTIVE and i.balance > 0]

    def _move(self, numbers: Sequence[str], state: InvoiceState, now: datetime, actor: str,
              reason: str) -> list[str]:
        for n in numbers:
            self.ledger.set_state(n, state, now, actor=actor, reason=reason)
        return list(numbers)

    def _today(self, client_id: str, now: datetime) -> date:
        client = self.ledger.client(client_id)
        return calendar.local(now, client.timezone if client else "UTC").date()

    def _who(self, client_id: str) -> str:
        client = self.ledger.client(client_id)
        return client.name if client else client_id

    def _detail(self, r: classify.Reading, invoices: Sequence[str], kind: str) -> dict[str, Any]:
        return {**as_json(r), "invoices": list(invoices), "text": r.text[:2000],
                "choices": list(CHOICES.get(kind, ()))}

    # what a person decides

    def decide(self, review_id: int, choice: str, *, actor: str, note: str = "",
               day: date | None = None) -> str:
        """Apply a person's decision on a review item. Returns what was done."""
        now = self.clock()
        item = self.ledger.review_item(review_id)
        if item is None:
            raise DecisionError(f"no review item #{review_id}")
        if item["resolved_at"]:
            raise DecisionError(f"review item #{review_id} was already decided by "
                                f"{item['resolved_by']} ({item['resolution']})")
        choices = CHOICES.get(item["kind"], ())
        if choice not in choices and not (choice == "done" and not choices):
            allowed = ", ".join(choices) or "done"
            raise DecisionError(f"review item #{review_id} ({item['kind']}): choose {allowed}")
        invoices = item["detail"].get("invoices", [])
        with self.ledger.transaction():
            resolution = (note or "resolved") if choice == "done" else \
                f"{choice}{': ' + note if note else ''}"
            if not self.ledger.resolve_review(review_id, actor=actor, now=now, resolution=resolution):
                raise DecisionError(f"review item #{review_id} was decided meanwhile")
            done = self._apply(item, choice, invoices, actor=actor, now=now, day=day)
        log.info("review #%d: %s decided %s: %s", review_id, actor, choice, done)
        return done

    def _apply(self, item: dict[str, Any], choice: str, invoices: Sequence[str], *, actor: str,
               now: datetime, day: date | None) -> str:
        rid = item["id"]
        if item["kind"] == "confirm_payment":
            claimed = [i for i in self.ledger.invoices(invoices)
                       if i.state == InvoiceState.PAYMENT_CLAIMED]
            if not claimed:
                return "nothing to do: the invoices moved on meanwhile"
            client_id = claimed[0].client_id
            if choice == "received":
                for inv in claimed:
                    self.ledger.mark_paid(inv.number, now, actor=actor)
                client = self.ledger.client(client_id)
                assert client is not None
                total = sum((i.balance for i in claimed), Decimal(0))
                self.ledger.queue_message(
                    client_id, "payment_thanks", [i.number for i in claimed], now,
                    key=f"thanks:review:{rid}",
                    extra={"payment": {"amount": format_money(total, claimed[0].currency, client.locale),
                                       "date": format_date(calendar.local(now, client.timezone).date(),
                                                           client.locale),
                                       "remaining": ""}})
                return f"{', '.join(i.number for i in claimed)} paid; thank-you queued"
            for inv in claimed:
                self.ledger.set_state(inv.number, InvoiceState.OPEN, now, actor=actor,
                                      reason="the payment the client mentioned was not received")
            self.ledger.queue_message(client_id, "payment_not_received",
                                      [i.number for i in claimed], now, key=f"not_received:{rid}")
            return f"{', '.join(i.number for i in claimed)} open again; the client is told"
        if item["kind"] == "dispute":
            disputed = [i for i in self.ledger.invoices(invoices) if i.state == InvoiceState.DISPUTED]
            new = InvoiceState.OPEN if choice == "resolved" else InvoiceState.CANCELLED
            for inv in disputed:
                self.ledger.set_state(inv.number, new, now, actor=actor,
                                      reason=f"dispute {choice} by a person")
            return f"{', '.join(i.number for i in disputed) or 'nothing'} {new.value}"
        if item["kind"] == "label_reply":
            row = self.ledger.message(item["message"]) if item["message"] else None
            if row is None:
                return "the reply is gone"
            stored = item["detail"]
            r = classify.Reading(
                label=Label(choice), confidence=1.0, evidence=(f"labelled by {actor}",),
                promise_date=day or (date.fromisoformat(stored["promise_date"])
                                     if stored.get("promise_date") and choice == "promise" else None),
                return_date=date.fromisoformat(stored["return_date"])
                if stored.get("return_date") else None,
                amounts=tuple(stored.get("amounts", ())), failed_address=stored.get("failed_address"),
                copy_request=bool(stored.get("copy_request")), text=stored.get("text", ""))
            status, done = self._act(row, r, now, vouched=actor)
            self.ledger.finish_reply(row["id"], status="done" if status == "done" else "review",
                                     label=choice, confidence=1.0, reading={**as_json(r), "action": done})
            return done
        return "noted"


def _quote(text: str, limit: int = 160) -> str:
    one = " ".join(text.split())
    return repr(one if len(one) <= limit else one[:limit - 1] + "…")
