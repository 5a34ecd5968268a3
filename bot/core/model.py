"""The values the core decides over: clients, invoices and their states.

Everything here is plain data. The ledger (``bot/ledger.py``) loads these from SQLite and
the core (``policy.py``, ``compose.py``) turns them into actions.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


class InvoiceState(enum.StrEnum):
    """An invoice's one state column. Pauses are flags, not states: they stack with any state."""

    OPEN = "open"
    PROMISED = "promised"
    DISPUTED = "disputed"
    PAYMENT_CLAIMED = "payment_claimed"
    IN_COLLECTIONS = "in_collections"
    PAID = "paid"
    CANCELLED = "cancelled"


S = InvoiceState

#: The legal transitions. Anything else is a programming error and raises.
TRANSITIONS: dict[InvoiceState, frozenset[InvoiceState]] = {
    S.OPEN: frozenset({S.PROMISED, S.DISPUTED, S.PAYMENT_CLAIMED, S.IN_COLLECTIONS, S.PAID,
                       S.CANCELLED}),
    S.PROMISED: frozenset({S.OPEN, S.DISPUTED, S.PAYMENT_CLAIMED, S.IN_COLLECTIONS, S.PAID,
                           S.CANCELLED}),
    S.DISPUTED: frozenset({S.OPEN, S.PAID, S.CANCELLED, S.IN_COLLECTIONS}),
    S.PAYMENT_CLAIMED: frozenset({S.OPEN, S.PAID, S.CANCELLED}),
    S.IN_COLLECTIONS: frozenset({S.PAID, S.CANCELLED, S.OPEN}),
    # A payment can be reversed (a bounced transfer); an invoice paid by mistake reopens.
    S.PAID: frozenset({S.OPEN}),
    S.CANCELLED: frozenset({S.OPEN}),
}

#: States in which automatic reminders may go out.
REMINDABLE = frozenset({S.OPEN})


class IllegalTransition(ValueError):
    pass


def check_transition(old: InvoiceState, new: InvoiceState) -> None:
    if new != old and new not in TRANSITIONS[old]:
        raise IllegalTransition(f"an invoice cannot go from {old.value} to {new.value}")


@dataclass(frozen=True, slots=True)
class Client:
    id: str
    name: str
    email: str
    cc: tuple[str, ...] = ()
    timezone: str = "UTC"
    locale: str = "en"
    country: str = ""
    paused: bool = False
    # automatic reminders wait until then (a person wrote to the client; an absence notice)
    quiet_until: datetime | None = None
    quiet_reason: str | None = None
    reply_token: str | None = None  # the +token of this client's Reply-To address
    failing: tuple[str, ...] = ()   # addresses that bounced (lower case)

    @property
    def working_addresses(self) -> tuple[str, ...]:
        """The client's addresses that have not bounced: the first is the one written to."""
        return tuple(a for a in (self.email, *self.cc) if a.lower() not in self.failing)


@dataclass(frozen=True, slots=True)
class Invoice:
    number: str
    client_id: str
    amount: Decimal
    balance: Decimal
    currency: str
    issue_date: date
    due_date: date
    state: InvoiceState = InvoiceState.OPEN
    paused: bool = False
    pdf_path: str | None = None
    message_id: str | None = None  # Message-ID of the original invoice email, for threading
    promised_date: date | None = None
    # The id of an open review item about a client's reply that concerns this invoice: the
    # reply was not certain enough to act on its own, so reminders wait for a person's
    # decision (a hold read from the review list, not a state: the state does not change).
    reply_waiting: int | None = None


@dataclass(frozen=True, slots=True)
class Tier:
    """One rung of the reminder ladder."""

    name: str
    offset_days: int  # relative to the due date; negative = before it
    template: str
    approval: bool = False
    action: str = "email"  # email | stop_service | collections | task


ACTIONS = ("email", "stop_service", "collections", "task")


@dataclass(frozen=True, slots=True)
class Ladder:
    tiers: tuple[Tier, ...] = field(default_factory=tuple)

    def index(self, name: str) -> int:
        for i, t in enumerate(self.tiers):
            if t.name == name:
                return i
        raise KeyError(name)
