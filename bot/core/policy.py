"""The reminder planner: ladder x ledger state x calendar x clock -> actions.

``plan()`` is a pure function. It never sends and never writes; the loop applies what it
returns (``bot/steps.py``) and ``arbot plan`` runs it over simulated days.

Rules (DESIGN.md, "Reminder policy"):

* each (invoice, tier) goes out at most once: ``InvoiceProgress.done`` is the highest tier
  already sent, queued, or decided for that invoice, and only higher tiers are considered;
* after downtime only the highest tier now due is used, the ones missed are skipped;
* one email per client per send, covering the client's invoices that are due;
* the client's time zone, business days, public holidays and send window;
* a minimum interval between two emails to one client, and a weekly cap;
* tiers that need approval become approval requests; approved ones are sent like any other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bot.core import calendar
from bot.core.model import REMINDABLE, Client, Invoice, Ladder, Tier


@dataclass(frozen=True, slots=True)
class Rules:
    """The parts of the policy configuration the planner needs."""

    ladder: Ladder
    business_days: tuple[int, ...]
    window_start: time
    window_end: time
    min_interval: timedelta
    max_per_week: int


@dataclass(frozen=True, slots=True)
class InvoiceProgress:
    """What has already happened on the ladder for one invoice."""

    done: int = -1  # index of the highest tier sent, queued, rejected or skipped; -1 = none
    awaiting: int | None = None  # tier index of a pending approval request


@dataclass(frozen=True, slots=True)
class Approved:
    """An approval that was granted and whose email has not gone out yet."""

    approval_id: int
    client_id: str
    tier: str
    invoices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Send:
    client_id: str
    tier: Tier  # decides the template: the highest tier among the covered invoices
    items: tuple[tuple[str, str], ...]  # (invoice number, tier name) covered by this email
    approval_ids: tuple[int, ...] = ()

    @property
    def invoices(self) -> tuple[str, ...]:
        return tuple(n for n, _ in self.items)


@dataclass(frozen=True, slots=True)
class RequestApproval:
    client_id: str
    tier: Tier
    invoices: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class Skip:
    """Lower tiers passed over during catch-up: recorded so they can never go out later."""

    invoice: str
    tiers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Hold:
    client_id: str
    invoices: tuple[str, ...]
    reason: str


Action = Send | RequestApproval | Skip | Hold


@dataclass(slots=True)
class Plan:
    sends: list[Send] = field(default_factory=list)
    approvals: list[RequestApproval] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)

    def actions(self) -> list[Action]:
        return [*self.sends, *self.approvals, *self.skips, *self.holds]


def days_past_due(invoice: Invoice, today: date) -> int:
    return (today - invoice.due_date).days


def due_tier(ladder: Ladder, days: int) -> int:
    """Index of the highest tier whose offset has been reached, or -1."""
    found = -1
    for i, t in enumerate(ladder.tiers):
        if t.offset_days <= days:
            found = i
        else:
            break
    return found


def hold_reason(invoice: Invoice, client: Client) -> str | None:
    """Why this invoice must not be reminded now, whatever the ladder says; None if it may.

    The outbox calls this again just before sending (the re-check)."""
    if invoice.balance <= 0:
        return "nothing left to pay"
    if invoice.state not in REMINDABLE:
        return f"invoice is {invoice.state.value.replace('_', ' ')}"
    if client.paused:
        return "client is paused"
    if invoice.paused:
        return "invoice is paused"
    if invoice.reply_waiting is not None:
        # a careful credit controller never reminds over a reply nobody has read yet
        return f"a client's reply waits for a person (review #{invoice.reply_waiting})"
    return None


def gate_reason(now: datetime, client: Client, rules: Rules,
                recent_sends: Sequence[datetime]) -> str | None:
    """Why no email may go to this client at ``now``; None if one may."""
    if not client.working_addresses:
        return "every address of the client bounced; a person must give a new one"
    if client.quiet_until is not None and now < client.quiet_until:
        until = calendar.local(client.quiet_until, client.timezone)
        why = client.quiet_reason or "a person wrote to the client recently"
        return f"{why}; automatic reminders wait until {until:%Y-%m-%d %H:%M}"
    closed = calendar.closed_reason(
        now, timezone=client.timezone, country=client.country,
        business_days=rules.business_days,
        window_start=rules.window_start, window_end=rules.window_end)
    if closed:
        return closed
    if recent_sends:
        # Counted in the client's calendar days: "three days apart" means Monday, then
        # Thursday, whatever minute Monday's email left at.
        today = calendar.local(now, client.timezone).date()
        ages = [(today - calendar.local(s, client.timezone).date()).days for s in recent_sends]
        last = min(ages)
        if last < rules.min_interval.days:
            when = "today" if last == 0 else f"{last} day{'s' if last != 1 else ''} ago"
            return f"last email {when}; the minimum interval is {rules.min_interval.days} days"
        week = sum(1 for a in ages if a < 7)
        if week >= rules.max_per_week:
            return f"weekly cap reached ({week} emails in the last 7 days)"
    return None


def plan(now: datetime, rules: Rules, clients: Mapping[str, Client],
         invoices: Iterable[Invoice], progress: Mapping[str, InvoiceProgress],
         recent_sends: Mapping[str, Sequence[datetime]],
         approved: Iterable[Approved] = ()) -> Plan:
    """Decide, for the moment ``now``, what to send, what to ask approval for, and what waits."""
    ladder = rules.ladder
    out = Plan()
    by_client: dict[str, list[tuple[Invoice, int]]] = {}
    approval_groups: dict[tuple[str, int], list[str]] = {}
    today_of: dict[str, date] = {}
    no_progress = InvoiceProgress()

    for inv in invoices:
        client = clients[inv.client_id]
        today = today_of.get(client.id)
        if today is None:
            today = today_of[client.id] = calendar.local(now, client.timezone).date()
        h = due_tier(ladder, days_past_due(inv, today))
        p = progress.get(inv.number, no_progress)
        if h <= p.done:
            continue
        why = hold_reason(inv, client)
        if why:
            out.holds.append(Hold(client.id, (inv.number,), f"{ladder.tiers[h].name} due, but {why}"))
            continue
        if p.awaiting is not None:
            out.holds.append(Hold(client.id, (inv.number,),
                                  f"waiting for approval of {ladder.tiers[p.awaiting].name}"))
            continue
        missed = tuple(t.name for t in ladder.tiers[p.done + 1:h])
        if missed:
            out.skips.append(Skip(inv.number, missed))
        tier = ladder.tiers[h]
        if tier.approval or tier.action == "task":
            approval_groups.setdefault((client.id, h), []).append(inv.number)
        else:
            by_client.setdefault(client.id, []).append((inv, h))

    for (client_id, h), numbers in sorted(approval_groups.items()):
        tier = ladder.tiers[h]
        out.approvals.append(RequestApproval(
            client_id, tier, tuple(sorted(numbers)),
            f"{tier.name} needs a person's approval ({tier.action})"))

    approved_by_client: dict[str, list[Approved]] = {}
    for a in approved:
        approved_by_client.setdefault(a.client_id, []).append(a)

    for client_id in sorted(set(by_client) | set(approved_by_client)):
        client = clients[client_id]
        regular = by_client.get(client_id, [])
        grants = approved_by_client.get(client_id, [])
        why = gate_reason(now, client, rules, recent_sends.get(client_id, ()))
        if why:
            held = tuple(sorted({i.number for i, _ in regular} |
                                {n for a in grants for n in a.invoices}))
            out.holds.append(Hold(client_id, held, why))
            continue
        out.sends.append(_one_email(ladder, client_id, regular, grants))
    return out


def _one_email(ladder: Ladder, client_id: str, regular: list[tuple[Invoice, int]],
               grants: list[Approved]) -> Send:
    """One email per client. An approved escalation goes out on its own (a final notice must
    not sweep a three-day-late invoice into it); otherwise every due invoice rides along."""
    if grants:
        top = max(grants, key=lambda a: ladder.index(a.tier))
        same = [a for a in grants if a.tier == top.tier]
        items = tuple(sorted({(n, a.tier) for a in same for n in a.invoices}))
        return Send(client_id, ladder.tiers[ladder.index(top.tier)], items,
                    tuple(a.approval_id for a in same))
    h = max(i for _, i in regular)
    items = tuple(sorted((inv.number, ladder.tiers[i].name) for inv, i in regular))
    return Send(client_id, ladder.tiers[h], items)
