"""What arbot shows in Slack, as Block Kit: plain functions from the ledger's records to
blocks, with no Slack connection, so every message can be checked in a test.

Slack's limits shape the text: a section holds at most 3,000 characters and a message 50
blocks, so long emails and histories are cut with a note saying so. Everything a client
wrote is shown as quoted text, with Slack's control characters (``<``, ``>``, ``&``)
escaped, so a reply cannot mention the channel or disguise a link.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.model import Client, Invoice
from bot.templates import format_money

Block = dict[str, Any]

LOCALE = "en"           # the team's view: amounts and dates in one plain format
_SECTION_MAX = 2900

#: The labels a person can give a reply, in the order a credit controller thinks of them.
REPLY_LABELS = ("paid", "promise", "dispute", "question", "out_of_office", "bounce", "other")

#: Events worth showing in a client's history, in words.
_EVENT_WORDS = {
    "reminder_sent": "reminder sent",
    "message_sent": "email sent",
    "reply_received": "reply received",
    "reply_understood": "reply read",
    "approval_requested": "approval asked",
    "approval_approved": "approved",
    "approval_rejected": "rejected",
    "approval_snoozed": "snoozed",
    "approval_done": "done",
    "promise_recorded": "promise recorded",
    "promise_missed": "promise missed",
    "payment_claimed": "client says paid",
    "payment_recorded": "payment recorded",
    "state_changed": "state changed",
    "dispute_opened": "dispute opened",
    "address_failed": "address bounced",
    "quiet_period": "reminders held",
    "paused": "paused",
    "resumed": "resumed",
}


def escape(text: str) -> str:
    """Text as Slack shows it literally: no mentions, links or formatting from the input."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int = _SECTION_MAX) -> str:
    if len(text) <= limit:
        return text
    return text[:limit - 40].rstrip() + "\n… (cut here; the rest is in the ledger)"


def quoted(text: str, limit: int = 1500) -> str:
    lines = cut(escape(text.strip()), limit).splitlines() or [""]
    return "\n".join("> " + line for line in lines)


def money(amount: Any, currency: str) -> str:
    return format_money(amount, currency, LOCALE)


def when(t: datetime, tz: str) -> str:
    return t.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %Z")


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(text, 2900)}]}


def button(text: str, action_id: str, value: str, style: str | None = None,
           confirm: Block | None = None) -> Block:
    b: Block = {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id,
                "value": value}
    if style:
        b["style"] = style
    if confirm:
        b["confirm"] = confirm
    return b


def _confirm(title: str, text: str, yes: str) -> Block:
    return {"title": {"type": "plain_text", "text": title}, "text": {"type": "mrkdwn", "text": text},
            "confirm": {"type": "plain_text", "text": yes}, "deny": {"type": "plain_text", "text": "Cancel"},
            "style": "danger"}


def overdue_days(inv: Invoice, today: date) -> int:
    return (today - inv.due_date).days


def invoice_lines(invoices: Sequence[Invoice], today: date) -> str:
    lines = []
    for inv in invoices:
        late = overdue_days(inv, today)
        due = f"{late} days overdue" if late > 0 else ("due today" if late == 0 else f"due in {-late} days")
        part = "" if inv.balance == inv.amount else f" (of {money(inv.amount, inv.currency)})"
        lines.append(f"• *{escape(inv.number)}*: {money(inv.balance, inv.currency)} open{part}, "
                     f"due {inv.due_date.isoformat()}, {due}, {inv.state.value.replace('_', ' ')}")
    return "\n".join(lines)


def totals(invoices: Sequence[Invoice]) -> str:
    by: dict[str, Any] = {}
    for inv in invoices:
        by[inv.currency] = by.get(inv.currency, 0) + inv.balance
    return ", ".join(money(v, c) for c, v in sorted(by.items())) or "nothing"


def history_lines(events: Sequence[Mapping[str, Any]], tz: str, limit: int = 10) -> str:
    shown = [e for e in events if e["kind"] in _EVENT_WORDS][-limit:]
    if not shown:
        return "_nothing yet_"
    lines = []
    for e in shown:
        detail = e.get("detail") or {}
        if isinstance(detail, str):
            detail = json.loads(detail)
        extra = ""
        for k in ("tier", "template", "label", "date", "until", "reason"):
            if detail.get(k):
                extra = f" ({escape(str(detail[k]))[:80]})"
                break
        who = f" by {escape(e['actor'])}" if e.get("actor") and e["actor"] != "arbot" else ""
        lines.append(f"{e['at'][:10]} {escape(e.get('invoice') or '')} {_EVENT_WORDS[e['kind']]}{extra}{who}")
    return "\n".join(lines)


# -- approvals -------------------------------------------------------------------------------

def approval_text(approval: Mapping[str, Any], client: Client) -> str:
    """The notification text (what a phone shows) of an approval request."""
    return f"Approval needed: {approval['tier'].replace('_', ' ')} for {escape(client.name)}"


def approval_blocks(approval: Mapping[str, Any], client: Client, invoices: Sequence[Invoice], *,
                    today: date, events: Sequence[Mapping[str, Any]], preview: tuple[str, str] | None,
                    tz: str, snooze_days: Sequence[int], decided: str | None = None) -> list[Block]:
    """An approval request with its whole context; with ``decided``, the same message after
    the decision, its buttons replaced by who decided what and when."""
    aid = approval["id"]
    tier = approval["tier"].replace("_", " ")
    oldest = max((overdue_days(i, today) for i in invoices), default=0)
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"Approve {tier}? {client.name}"[:150]}},
        {"type": "section", "fields": [
            {"type": "mrkdwn", "text": f"*Client*\n{escape(client.name)}\n{escape(client.email)}"},
            {"type": "mrkdwn", "text": f"*Step*\n{escape(tier)} ({escape(approval['action'])})"},
            {"type": "mrkdwn", "text": f"*Open*\n{totals(invoices)}"},
            {"type": "mrkdwn", "text": f"*Most overdue*\n{oldest} days"},
        ]},
        section("*Invoices*\n" + invoice_lines(invoices, today)),
        context(f"Why now: {escape(approval['reason'])}"),
        section("*History*\n" + history_lines(events, tz)),
    ]
    if preview is not None:
        subject, text = preview
        blocks.append(section(f"*The email that would go out*\n*Subject:* {escape(subject)}\n"
                              + quoted(text, 2400)))
    elif approval["action"] == "task":
        blocks.append(section("_No email goes out: this step is a task for a person. Approve it "
                              "when it is done._"))
    if decided:
        blocks.append(context(decided))
        return blocks
    value = f"approval:{aid}"
    blocks.append({"type": "actions", "block_id": f"approval:{aid}", "elements": [
        button("Approve", "approve", value, "primary"),
        button("Reject", "reject", value, "danger",
               _confirm("Reject?", f"No {escape(tier)} for {escape(client.name)}; the ladder moves on.",
                        "Reject")),
        {"type": "static_select", "action_id": "snooze",
         "placeholder": {"type": "plain_text", "text": "Snooze"},
         "options": [{"text": {"type": "plain_text", "text": f"{d} day{'s' if d > 1 else ''}"},
                      "value": f"{value}:{d}"} for d in snooze_days]},
        *([button("Edit before sending", "edit", value)] if preview is not None else []),
    ]})
    return blocks


def decision_line(status: str, actor: str, at: datetime, tz: str, *, until: datetime | None = None,
                  edited: bool = False) -> str:
    words = {"approved": "Approved", "queued": "Approved", "sent": "Approved", "done": "Marked done",
             "rejected": "Rejected", "snoozed": "Snoozed"}.get(status, status.capitalize())
    who = f"<@{actor[6:]}>" if actor.startswith("slack:") else escape(actor)
    line = f"{'✅' if words in ('Approved', 'Marked done') else '⏸' if status == 'snoozed' else '❌'} " \
           f"*{words}* by {who} at {when(at, tz)}"
    if until is not None:
        line += f", until {when(until, tz)}"
    if edited:
        line += " (email edited before sending)"
    return line


def edit_modal(approval_id: int, subject: str, text: str, channel: str, ts: str) -> Block:
    """The Edit before sending dialog: what is submitted is what goes out."""
    return {
        "type": "modal", "callback_id": "edit_email",
        "private_metadata": json.dumps({"approval": approval_id, "channel": channel, "ts": ts}),
        "title": {"type": "plain_text", "text": "Edit before sending"},
        "submit": {"type": "plain_text", "text": "Approve and send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "input", "block_id": "subject", "label": {"type": "plain_text", "text": "Subject"},
             "element": {"type": "plain_text_input", "action_id": "value", "initial_value": subject[:150],
                         "max_length": 200}},
            {"type": "input", "block_id": "body", "label": {"type": "plain_text", "text": "Email text"},
             "element": {"type": "plain_text_input", "action_id": "value", "multiline": True,
                         "initial_value": text[:3000], "max_length": 3000}},
            context("The invoice copies are attached as usual. Approving sends this text instead "
                    "of the template's."),
        ]}


# -- review items: replies and alerts --------------------------------------------------------

_REVIEW_TITLES = {
    "confirm_payment": "Client says paid: did the money arrive?",
    "dispute": "Dispute: reminders stopped until you resolve it",
    "label_reply": "What does this reply say?",
    "question": "A client asks",
    "reply": "A reply to read",
    "bounce": "An email bounced",
    "quarantine": "A message could not be read",
}


def review_text(item: Mapping[str, Any]) -> str:
    return f"{_REVIEW_TITLES.get(item['kind'], 'For review')}: {escape(item['summary'])}"[:300]


def review_blocks(item: Mapping[str, Any], *, message: Mapping[str, Any] | None,
                  invoices: Sequence[Invoice], today: date, decided: str | None = None) -> list[Block]:
    rid = item["id"]
    kind = item["kind"]
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": _REVIEW_TITLES.get(kind, "For review")}},
        section(escape(item["summary"])),
    ]
    if invoices:
        blocks.append(section("*Invoices*\n" + invoice_lines(invoices, today)))
    if message is not None:
        reading = message.get("reading") or {}
        said = reading.get("text") or message.get("subject") or ""
        who = escape(message.get("from_addr") or "")
        head = f"*{who}* wrote ({escape(message.get('subject') or '')}):"
        blocks.append(section(head + "\n" + quoted(said)))
        if message.get("label"):
            evidence = ", ".join(f"“{escape(e)}”" for e in (reading.get("evidence") or [])[:4])
            confidence = float(message.get("confidence") or 0)
            blocks.append(context(f"Read as *{message['label']}* ({confidence:.2f})"
                                  + (f" because of {evidence}" if evidence else "")))
    if decided:
        blocks.append(context(decided))
        return blocks
    value = f"review:{rid}"
    if kind == "confirm_payment":
        elements = [button("Received", "payment_received", value, "primary"),
                    button("Not received", "payment_not_received", value, "danger")]
    elif kind == "dispute":
        elements = [button("Resolved: resume reminders", "dispute_resolved", value, "primary"),
                    button("Cancel the invoices", "dispute_cancelled", value, "danger",
                           _confirm("Cancel?", "The disputed invoices will be cancelled.", "Cancel them"))]
    elif kind == "label_reply":
        suggested = (message or {}).get("label")
        select: Block = {
            "type": "static_select", "action_id": "label_reply",
            "placeholder": {"type": "plain_text", "text": "Label this reply"},
            "options": [{"text": {"type": "plain_text", "text": label.replace("_", " ")},
                         "value": f"{value}:{label}"} for label in REPLY_LABELS]}
        if suggested in REPLY_LABELS:
            select["initial_option"] = next(o for o in select["options"]
                                            if o["value"].endswith(":" + suggested))
            elements = [select, button(f"Yes, {suggested.replace('_', ' ')}", "label_reply_confirm",
                                       f"{value}:{suggested}", "primary")]
        else:
            elements = [select]
    else:
        elements = [button("Done", "review_done", value)]
    blocks.append({"type": "actions", "block_id": f"review:{rid}", "elements": elements})
    return blocks


def review_decision_line(choice: str, actor: str, at: datetime, tz: str) -> str:
    who = f"<@{actor[6:]}>" if actor.startswith("slack:") else escape(actor)
    return f"✅ *{escape(choice.replace('_', ' '))}* by {who} at {when(at, tz)}"
