"""The team's view in Slack: the daily digest, the App Home tab, and the answers of the
``/arbot`` command (status, pause, resume, paid, why). Each builds its text from the ledger;
the Slack side only shows it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.core import calendar
from bot.core.aging import aging
from bot.core.model import Invoice, InvoiceState
from bot.core.policy import days_past_due, hold_reason
from bot.ledger import Ledger, LedgerError
from bot.slack import blocks as B

HELP = ("*/arbot* commands:\n"
        "• `status CLIENT`: what the client owes, and what happens next\n"
        "• `pause CLIENT|INVOICE` / `resume CLIENT|INVOICE`: hold or restart reminders\n"
        "• `paid INVOICE`: record that the invoice is paid (no thank-you is sent)\n"
        "• `why INVOICE`: why a reminder was or was not sent, and what comes next\n")


def _today(config: Config, now: datetime) -> Any:
    return now.astimezone(ZoneInfo(config.slack.timezone)).date()


def _next_steps(ledger: Ledger, config: Config, now: datetime, client_id: str,
                days: int = 45) -> dict[str, str]:
    """Per invoice of the client: the next thing the ladder would do, if nobody acts."""
    from bot.reminders import rules_from, simulate
    rules = rules_from(config.policy)
    state = ledger.planning_state(now, rules.ladder)
    state = replace(state, clients={k: v for k, v in state.clients.items() if k == client_id},
                    invoices=[i for i in state.invoices if i.client_id == client_id])
    out: dict[str, str] = {}
    held: dict[str, str] = {}
    for day in simulate(state, rules, now, days, report_timezone=config.slack.timezone):
        for t, _c, tier, items in day.sends:
            for n, _ in items:
                out.setdefault(n, f"{tier.replace('_', ' ')} on {day.day.isoformat()} at "
                                  f"{calendar.local(t, config.slack.timezone):%H:%M}")
        for _c, tier, numbers in day.approvals:
            for n in numbers:
                out.setdefault(n, f"{tier.replace('_', ' ')} asked for approval on {day.day.isoformat()}")
        for (_c, n), why in day.held.items():
            held.setdefault(n, why)
    for n, why in held.items():
        out.setdefault(n, f"held: {why}")
    return out


def status(ledger: Ledger, config: Config, now: datetime, name: str) -> str:
    client = ledger.find_client(name)
    if client is None:
        return f"No client {B.escape(name)!s}. Give the client's name or ID as in `arbot status`."
    today = _today(config, now)
    invoices = [i for i in ledger.invoices_of(client.id) if i.balance > 0
                and i.state not in (InvoiceState.PAID, InvoiceState.CANCELLED)]
    lines = [f"*{B.escape(client.name)}* ({B.escape(client.email)})"
             + (" — *paused*" if client.paused else "")]
    if client.quiet_until and client.quiet_until > now:
        lines.append(f"Reminders held until {B.when(client.quiet_until, config.slack.timezone)}: "
                     f"{B.escape(client.quiet_reason or 'a person wrote to the client')}")
    if not invoices:
        lines.append("Nothing open.")
        return "\n".join(lines)
    lines.append(f"Open: {B.totals(invoices)}")
    lines.append(B.invoice_lines(invoices, today))
    nxt = _next_steps(ledger, config, now, client.id)
    steps = [f"• {B.escape(i.number)}: {B.escape(nxt[i.number])}" for i in invoices if i.number in nxt]
    if steps:
        lines.append("*Next*\n" + "\n".join(steps))
    return "\n".join(lines)


def why(ledger: Ledger, config: Config, now: datetime, number: str) -> str:
    inv = ledger.invoice(number)
    if inv is None:
        return f"No invoice {B.escape(number)}."
    client = ledger.client(inv.client_id)
    assert client is not None
    today = _today(config, now)
    late = days_past_due(inv, today)
    lines = [f"*{B.escape(inv.number)}* for {B.escape(client.name)}: {B.money(inv.balance, inv.currency)} "
             f"open, due {inv.due_date.isoformat()} ({late} days past due), "
             f"{inv.state.value.replace('_', ' ')}"]
    events = [e for e in ledger.history(invoice=number, limit=200)]
    sent = [e for e in events if e["kind"] in ("reminder_sent", "message_sent")]
    if sent:
        last = sent[-1]
        lines.append(f"Last email: {last['detail'].get('tier') or last['detail'].get('template') or ''} "
                     f"on {last['at'][:10]}.")
    else:
        lines.append("No reminder has been sent for it yet.")
    reason = hold_reason(inv, client)
    if reason:
        lines.append(f"No reminder now: {B.escape(reason)}.")
    waiting = [a for a in ledger.approvals("pending") if number in a["invoices"]]
    if waiting:
        first = waiting[0]
        lines.append(f"Waiting for a person: {first['tier'].replace('_', ' ')} (approval #{first['id']}).")
    nxt = _next_steps(ledger, config, now, client.id).get(number)
    if nxt:
        lines.append(f"Next: {B.escape(nxt)}.")
    elif not reason:
        lines.append("Next: nothing in the next 45 days (the ladder is done, or nothing is due).")
    recent = [e for e in events if e["kind"] in B._EVENT_WORDS][-5:]
    if recent:
        lines.append("*Recently*\n" + B.history_lines(recent, config.slack.timezone))
    return "\n".join(lines)


def pause(ledger: Ledger, now: datetime, name: str, *, actor: str, paused: bool) -> str:
    """Pause or resume a client's reminders, or one invoice's."""
    if ledger.invoice(name) is not None:
        ledger.set_paused(now=now, actor=actor, paused=paused, invoice=name)
        return (f"Reminders for *{B.escape(name)}* are paused." if paused
                else f"Reminders for *{B.escape(name)}* resume with the next pass.")
    client = ledger.find_client(name)
    if client is None:
        return f"No client or invoice {B.escape(name)}."
    ledger.set_paused(now=now, actor=actor, paused=paused, client_id=client.id)
    return (f"Reminders to *{B.escape(client.name)}* are paused until someone resumes them." if paused
            else f"Reminders to *{B.escape(client.name)}* resume with the next pass.")


def paid(ledger: Ledger, now: datetime, number: str, *, actor: str) -> str:
    inv = ledger.invoice(number)
    if inv is None:
        return f"No invoice {B.escape(number)}."
    try:
        ledger.mark_paid(number, now, actor=actor)
    except LedgerError as e:
        return f"Not recorded: {B.escape(str(e))}"
    return f"*{B.escape(number)}* is recorded as paid; no more reminders for it."


# -- the digest and the home tab -------------------------------------------------------------

def _due_promises(ledger: Ledger, today: Any) -> list[Invoice]:
    soon = today + timedelta(days=1)
    return [i for i in ledger.promised() if i.promised_date is not None and i.promised_date <= soon]


def digest(ledger: Ledger, config: Config, now: datetime) -> tuple[str, list[B.Block], bytes]:
    """The morning message: what goes out today, what waits for a person, promises due, and
    the aging of what is owed (as a table, and a chart posted in its thread)."""
    from bot.chart import aging_chart
    from bot.reminders import rules_from, simulate
    today = _today(config, now)
    rules = rules_from(config.policy)
    state = ledger.planning_state(now, rules.ladder)
    plan_today = simulate(state, rules, now, 1, report_timezone=config.slack.timezone)[0]
    names = {c.id: c.name for c in state.clients.values()}
    sends = [f"• {B.escape(names.get(c, c))}: {tier.replace('_', ' ')} ({', '.join(n for n, _ in items)})"
             for _t, c, tier, items in plan_today.sends]
    asks = [f"• {B.escape(names.get(c, c))}: {tier.replace('_', ' ')} ({', '.join(ns)})"
            for c, tier, ns in plan_today.approvals]
    pending = ledger.approvals("pending")
    review = ledger.review()
    promises = _due_promises(ledger, today)
    summary = aging(ledger.invoices(), today)
    blocks: list[B.Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"Receivables, {today.isoformat()}"}},
        B.section("*Going out today*\n" + ("\n".join(sends[:25]) or "_nothing_")
                  + (f"\n…and {len(sends) - 25} more" if len(sends) > 25 else "")),
        B.section(f"*Waiting for a person*\n{len(pending)} approval(s), {len(review)} item(s) to review"
                  + ("\n" + "\n".join(asks[:10]) if asks else "")),
        B.section("*Promises due*\n" + ("\n".join(
            f"• {B.escape(i.number)} ({B.escape(names.get(i.client_id, i.client_id))}): "
            f"{B.money(i.balance, i.currency)} by {i.promised_date}" for i in promises[:20]) or "_none_")),
        B.section("*Aging*\n```" + summary.table(locale=B.LOCALE) + "```"),
    ]
    failed = ledger.slack_posts("failed")
    if failed:
        blocks.append(B.context(f"⚠️ {len(failed)} Slack message(s) could not be posted; see the logs."))
    text = (f"Receivables {today.isoformat()}: {len(sends)} email(s) today, {len(pending)} approval(s) "
            f"waiting, {len(promises)} promise(s) due")
    return text, blocks, aging_chart(summary, locale=B.LOCALE, title=f"Aging on {today.isoformat()}")


def home(ledger: Ledger, config: Config, now: datetime, user: str, *, approver: bool) -> dict[str, Any]:
    """The App Home tab: what waits for a person, and the aging."""
    today = _today(config, now)
    pending = ledger.approvals("pending")
    review = ledger.review()
    summary = aging(ledger.invoices(), today)
    items: list[B.Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": "arbot: receivables"}},
        B.context(f"As of {B.when(now, config.slack.timezone)}. "
                  + ("You can approve." if approver else "You can read; approvers decide.")),
        B.section(f"*Waiting for approval* ({len(pending)})\n"
                  + (_approval_lines(ledger, pending) or "_nothing_")),
        B.section(f"*To review* ({len(review)})\n" + ("\n".join(
            f"• #{r['id']} {B.escape(r['kind'].replace('_', ' '))}: {B.escape(r['summary'][:120])}"
            for r in review[:15]) or "_nothing_")),
        B.section("*Aging*\n```" + summary.table(locale=B.LOCALE) + "```"),
        B.context("Approvals and reviews are in the approvals channel; `/arbot help` lists the commands."),
    ]
    return {"type": "home", "blocks": items}


def _approval_lines(ledger: Ledger, pending: Sequence[dict[str, Any]]) -> str:
    lines = []
    for a in pending[:15]:
        client = ledger.client(a["client_id"])
        lines.append(f"• #{a['id']} {B.escape(client.name if client else a['client_id'])}: "
                     f"{a['tier'].replace('_', ' ')} ({', '.join(a['invoices'])})")
    return "\n".join(lines)
