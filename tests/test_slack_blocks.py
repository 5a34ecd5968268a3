"""What arbot shows in Slack, checked as plain values: Block Kit within Slack's limits, and
nothing a client wrote able to ping a channel or pass for a link."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from bot.core.model import Client, Invoice
from bot.slack import blocks as B

TODAY = date(2026, 11, 10)
CLIENT = Client(id="acme", name="Acme <!channel> GmbH", email="ap@acme.test")
INVOICES = [Invoice("INV-1", "acme", Decimal("1250.00"), Decimal("1000.00"), "EUR", date(2026, 9, 1),
                    date(2026, 10, 10))]
APPROVAL = {"id": 7, "client_id": "acme", "tier": "final_notice", "action": "email", "invoices": ["INV-1"],
            "reason": "31 days past due", "status": "pending"}


def every_text(blocks: list[dict]) -> list[str]:
    found: list[str] = []

    def walk(x: object) -> None:
        if isinstance(x, dict):
            if x.get("type") == "mrkdwn":      # plain_text shows "<!channel>" as it is
                found.append(x["text"])
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(blocks)
    return found


def approval(**kw: object) -> list[dict]:
    args = dict(today=TODAY, events=[], preview=("Final notice: INV-1", "Dear Acme,\n\nplease pay."),
                tz="Europe/London", snooze_days=(1, 3, 7))
    args.update(kw)
    return B.approval_blocks(APPROVAL, CLIENT, INVOICES, **args)  # type: ignore[arg-type]


def test_a_pending_request_has_its_context_and_four_ways_to_decide():
    blocks = approval()
    text = json.dumps(blocks, ensure_ascii=False)
    assert "31 days overdue" in text and "€1,000.00" in text and "(of €1,250.00)" in text
    actions = next(b for b in blocks if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == ["approve", "reject", "snooze", "edit"]
    assert [o["value"] for o in actions["elements"][2]["options"]] == ["approval:7:1", "approval:7:3",
                                                                      "approval:7:7"]
    assert actions["elements"][1]["confirm"]          # rejecting asks first


def test_a_decided_request_shows_who_and_when_and_no_buttons():
    line = B.decision_line("approved", "slack:U0BOSS01", datetime(2026, 11, 10, 10, 5, tzinfo=UTC),
                           "Europe/London", edited=True)
    blocks = approval(decided=line)
    assert not any(b["type"] == "actions" for b in blocks)
    assert "<@U0BOSS01>" in blocks[-1]["elements"][0]["text"]
    assert "2026-11-10 10:05 GMT" in line and "edited" in line


def test_a_task_has_no_email_and_no_edit_button():
    blocks = B.approval_blocks({**APPROVAL, "action": "task"}, CLIENT, INVOICES, today=TODAY, events=[],
                               preview=None, tz="UTC", snooze_days=(1,))
    actions = next(b for b in blocks if b["type"] == "actions")
    assert "edit" not in [e["action_id"] for e in actions["elements"]]
    assert "No email goes out" in json.dumps(blocks)


def test_what_a_client_wrote_cannot_mention_anyone_or_make_a_link():
    msg = {"from_addr": "ap@acme.test", "subject": "Re: <@U0BOSS01>",
           "reading": {"text": "Hi <!here> see <https://evil.test|your bank>", "evidence": ["paid"]},
           "label": "paid", "confidence": 0.7}
    item = {"id": 3, "kind": "label_reply", "summary": "Acme <!everyone> wrote", "detail": {}}
    blocks = B.review_blocks(item, message=msg, invoices=INVOICES, today=TODAY)
    for text in every_text(blocks):
        assert "<!" not in text and "<@" not in text and "<http" not in text
    assert "&lt;!here&gt;" in json.dumps(blocks)
    for text in [*every_text(approval()), B.approval_text(APPROVAL, CLIENT), B.review_text(item)]:
        assert "<!channel>" not in text and "<!everyone>" not in text


def test_long_texts_are_cut_to_what_slack_accepts():
    blocks = approval(preview=("Subject", "x" * 20_000))
    for b in blocks:
        if b["type"] == "section" and "text" in b:
            assert len(b["text"]["text"]) <= 3000
    assert "cut here" in json.dumps(blocks)


def test_the_suggested_label_is_preselected_with_a_one_click_confirm():
    msg = {"from_addr": "ap@acme.test", "subject": "Re", "reading": {"text": "will pay friday"},
           "label": "promise", "confidence": 0.6}
    item = {"id": 4, "kind": "label_reply", "summary": "unclear", "detail": {}}
    actions = next(b for b in B.review_blocks(item, message=msg, invoices=[], today=TODAY)
                   if b["type"] == "actions")
    select, confirm = actions["elements"]
    assert select["initial_option"]["value"] == "review:4:promise"
    assert confirm["value"] == "review:4:promise" and confirm["action_id"] == "label_reply_confirm"


def test_the_edit_dialog_carries_the_request_and_the_text():
    view = B.edit_modal(7, "Final notice: INV-1", "Dear Acme", "C0APPROVALS", "171.000100")
    assert view["callback_id"] == "edit_email"
    meta = json.loads(view["private_metadata"])
    assert meta == {"approval": 7, "channel": "C0APPROVALS", "ts": "171.000100"}
    assert view["blocks"][0]["element"]["initial_value"] == "Final notice: INV-1"
    assert view["blocks"][1]["element"]["multiline"] is True
