"""The aging of what clients owe: open balances by days past due, the summary a credit
controller reads first. Amounts in different currencies are never added together."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from babel.numbers import format_currency

from bot.core.model import Invoice, InvoiceState


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    return str(format_currency(amount, currency, locale=locale.replace("-", "_")))


#: (label, first day past due, last day past due); "current" is not yet due or due today.
BUCKET_RANGES: tuple[tuple[str, int | None, int | None], ...] = (
    ("current", None, 0), ("1-30", 1, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None))
BUCKETS = tuple(label for label, _, _ in BUCKET_RANGES)

#: States in which money is still owed (paid and cancelled invoices are not).
OWED = frozenset({InvoiceState.OPEN, InvoiceState.PROMISED, InvoiceState.DISPUTED,
                  InvoiceState.PAYMENT_CLAIMED, InvoiceState.IN_COLLECTIONS})


def bucket(days_past_due: int) -> str:
    for label, first, last in BUCKET_RANGES:
        if (first is None or days_past_due >= first) and (last is None or days_past_due <= last):
            return label
    raise AssertionError(days_past_due)  # the ranges cover every integer


@dataclass(frozen=True)
class Row:
    """One currency: count and open balance per bucket, and what is disputed."""

    currency: str
    counts: Mapping[str, int] = field(default_factory=dict)        # bucket label -> invoices
    totals: Mapping[str, Decimal] = field(default_factory=dict)    # bucket label -> open balance
    disputed: Decimal = Decimal(0)                                 # part of the total, not on top of it

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), Decimal(0))

    @property
    def count(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Aging:
    """The summary as of ``today``: one row per currency that has anything owed."""

    today: date
    rows: tuple[Row, ...]   # one per currency, sorted

    @property
    def empty(self) -> bool:
        return not self.rows

    def table(self, *, locale: str = "en") -> str:
        """A fixed-width table (for a code block in Slack, or a terminal)."""
        if not self.rows:
            return "nothing owed"
        head = ["", *BUCKETS, "total"]
        lines = [[f"{r.currency} ({r.count})",
                  *(format_money(r.totals[b], r.currency, locale) if r.counts.get(b) else "-"
                    for b in BUCKETS),
                  format_money(r.total, r.currency, locale)] for r in self.rows]
        widths = [max(len(x[i]) for x in [head, *lines]) for i in range(len(head))]
        out = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(x, widths, strict=True)))
               for x in [head, *lines]]
        for r in self.rows:
            if r.disputed:
                out.append(f"{r.currency}: {format_money(r.disputed, r.currency, locale)} of it disputed")
        return "\n".join(line.rstrip() for line in out)


def aging(invoices: Iterable[Invoice], today: date) -> Aging:
    """Open balances as of ``today``, per currency and bucket."""
    by: dict[str, tuple[dict[str, int], dict[str, Decimal], list[Decimal]]] = {}
    for inv in invoices:
        # A credit balance (an overpayment) is not money owed, and netting it against other
        # invoices would hide what is late; it is left out, as `arbot status` leaves it out.
        if inv.state not in OWED or inv.balance <= 0:
            continue
        counts, totals, disputed = by.setdefault(
            inv.currency, ({b: 0 for b in BUCKETS}, {b: Decimal(0) for b in BUCKETS}, []))
        b = bucket((today - inv.due_date).days)
        counts[b] += 1
        totals[b] += inv.balance
        if inv.state is InvoiceState.DISPUTED:
            disputed.append(inv.balance)
    rows = tuple(Row(currency, MappingProxyType(counts), MappingProxyType(totals), sum(d, Decimal(0)))
                 for currency, (counts, totals, d) in sorted(by.items()))
    return Aging(today, rows)
