"""Slack, end to end: the bot posts to a local fake of Slack's Web API (api_base_url points at
it), and clicks reach the app as Slack sends them, signed with the app's signing secret, over
HTTP. Email goes through the test SMTP server; the ledger is a real SQLite file."""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.model import InvoiceState
from bot.simclock import SimulatedClock
from bot.slack.app import SlackApp
from tests.support import world
from tests.support.fake_slack import FakeSlack
from tests.support.slack_signing import (
    block_actions_payload,
    command_body,
    interaction_body,
    post,
    view_submission_payload,
)

# A Tuesday, 10:00 in London: inside the send window.
NOW = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
SECRET = world.SLACK_SIGNING_SECRET
BOSS, ANNA, BEN, EVE = "U0BOSS01", "U0ANNA02", "U0BEN003", "U0EVE004"   # Eve is no approver


@pytest.fixture
def fake():
    slack = FakeSlack().start()
    slack.usergroups = {"S0FINANCE": [ANNA, BEN]}
    yield slack
    slack.stop()


@pytest.fixture
def office(fake, smtp_server, tls, tmp_path, make_bot):
    """A bot with Slack on, one client 31 days overdue (the final notice needs a yes), and the
    Slack app listening for signed requests."""
    cfg = world.config(tmp_path, port=smtp_server.port, security="starttls", login=True,
                       slack=world.slack(fake.api_url))
    clock = SimulatedClock(NOW)
    bot = make_bot(cfg, clock, cafile=tls[0])
    bot.ledger.import_invoices([
        world.row("INV-3001", "Acme GmbH", "ap@acme.test", NOW.date() - timedelta(days=31),
                  amount="1250.00", pdf=world.pdf(tmp_path, "INV-3001")),
    ], NOW)
    app = SlackApp(cfg, bot.mailer, clock=clock, client=None)
    app.start()
    yield Office(bot, clock, fake, app, smtp_server, cfg)
    app.stop()


class Office:
    def __init__(self, bot, clock, fake, app, smtp, cfg) -> None:
        self.bot, self.clock, self.fake, self.app, self.smtp, self.cfg = bot, clock, fake, app, smtp, cfg

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.app.port}/slack/events"

    def run(self) -> None:
        """One pass of the loop, and anything Slack waits for."""
        self.bot.loop.run_pass()

    def posted(self, key: str) -> dict[str, Any]:
        row = self.bot.ledger.slack_post(key)
        assert row is not None, key
        return row

    def message_of(self, key: str) -> dict[str, Any]:
        """The chat.postMessage call that posted ``key``, as Slack received it."""
        ts = self.posted(key)["ts"]
        posts = [c for c in self.fake.calls_to("chat.postMessage") if c.get("answered", 200) == 200]
        for c in posts:
            meta = c["params"].get("metadata")
            meta = json.loads(meta) if isinstance(meta, str) else meta
            if meta and meta["event_payload"]["key"] == key:
                return c
        raise AssertionError(f"{key} (ts {ts}) was not posted")

    def click(self, key: str, action_id: str, *, user: str = BOSS, option: str | None = None,
              **kw: Any) -> int:
        """Click a button (or pick an option) in the message posted under ``key``, as Slack
        would send it: the element taken from the blocks Slack was given."""
        call = self.message_of(key)
        blocks = call["params"]["blocks"]
        blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
        element = next(e for b in blocks if b["type"] == "actions" for e in b["elements"]
                       if e["action_id"] == action_id)
        selected = None
        if option is not None:
            selected = next(o for o in element["options"] if o["value"].endswith(option))
        payload = block_actions_payload(
            user=user, channel="C0APPROVALS", message_ts=self.posted(key)["ts"], blocks=blocks,
            action_id=action_id, value=element.get("value"), block_id=next(
                b.get("block_id") for b in blocks if b["type"] == "actions"),
            selected_option=selected, response_url=f"{self.fake.url}/response/x", **kw)
        status, _ = post(self.url, SECRET, interaction_body(payload))
        return status

    def approval(self) -> dict[str, Any]:
        rows = self.bot.ledger.approvals(None)
        assert len(rows) == 1, rows
        return rows[0]

    def ephemerals(self, user: str) -> list[str]:
        return [c["params"]["text"] for c in self.fake.calls_to("chat.postEphemeral")
                if c["params"].get("user") == user]

    def updates(self) -> list[dict[str, Any]]:
        return [c for c in self.fake.calls_to("chat.update") if c.get("answered", 200) == 200]


def blocks_text(call: dict[str, Any]) -> str:
    blocks = call["params"].get("blocks")
    return json.dumps(json.loads(blocks) if isinstance(blocks, str) else blocks, ensure_ascii=False)


def test_an_approval_is_posted_with_its_context_and_the_approve_click_sends_the_email(office):
    office.run()
    a = office.approval()
    assert a["tier"] == "final_notice" and a["status"] == "pending"
    call = office.message_of(f"approval:{a['id']}")
    text = blocks_text(call)
    assert call["params"]["channel"] == "C0APPROVALS"
    for shown in ("Acme GmbH", "INV-3001", "31 days overdue", "1,250.00", "The email that would go out",
                  "Approve", "Reject", "Snooze", "Edit before sending"):
        assert shown in text, shown
    assert not office.smtp.messages   # nothing goes out before a yes

    assert office.click(f"approval:{a['id']}", "approve") == 200
    a = office.approval()
    assert a["status"] == "approved" and a["decided_by"] == f"slack:{BOSS}"
    update = office.updates()[-1]
    assert update["params"]["ts"] == office.posted(f"approval:{a['id']}")["ts"]
    assert "Approved" in blocks_text(update) and f"<@{BOSS}>" in blocks_text(update)
    assert '"approve"' not in blocks_text(update)     # the buttons are gone

    office.run()
    assert len(office.smtp.messages) == 1
    mail = office.smtp.messages[0]
    assert mail.recipients == ["ap@acme.test"]
    assert "INV-3001" in str(mail.message["Subject"])
    assert office.approval()["status"] == "sent"


def test_a_bad_signature_or_a_stale_timestamp_is_refused_and_decides_nothing(office):
    office.run()
    a = office.approval()
    key = f"approval:{a['id']}"
    blocks = office.message_of(key)["params"]["blocks"]
    payload = block_actions_payload(user=BOSS, channel="C0APPROVALS", message_ts=office.posted(key)["ts"],
                                    blocks=json.loads(blocks) if isinstance(blocks, str) else blocks,
                                    action_id="approve", value=key, block_id=key,
                                    response_url=f"{office.fake.url}/response/x")
    body = interaction_body(payload)
    assert post(office.url, SECRET, body, bad_signature=True)[0] == 401
    assert post(office.url, "not-the-secret", body)[0] == 401
    assert post(office.url, SECRET, body, timestamp=int(time.time()) - 6 * 60)[0] == 401
    assert office.approval()["status"] == "pending"
    assert not office.updates()


def test_someone_who_is_not_an_approver_is_told_privately_and_the_attempt_is_logged(office, caplog):
    office.run()
    a = office.approval()
    with caplog.at_level(logging.WARNING, logger="bot.slack.app"):
        assert office.click(f"approval:{a['id']}", "approve", user=EVE) == 200
    assert office.approval()["status"] == "pending"
    assert any("not allowed" in t for t in office.ephemerals(EVE))
    assert any(EVE in r.getMessage() and "not an approver" in r.getMessage() for r in caplog.records)


def test_a_member_of_the_approvers_group_may_decide(office):
    office.run()
    a = office.approval()
    office.click(f"approval:{a['id']}", "reject", user=ANNA)
    a = office.approval()
    assert a["status"] == "rejected" and a["decided_by"] == f"slack:{ANNA}"
    assert "Rejected" in blocks_text(office.updates()[-1])
    office.run()
    assert not office.smtp.messages


def test_a_double_click_records_one_decision(office):
    office.run()
    a = office.approval()
    office.click(f"approval:{a['id']}", "approve")
    office.click(f"approval:{a['id']}", "approve")
    events = [e for e in office.bot.ledger.history("INV-3001") if e["kind"].startswith("approval_")]
    assert [e["kind"] for e in events] == ["approval_requested", "approval_approved"]
    assert any("already decided" in t for t in office.ephemerals(BOSS))
    assert len(office.updates()) == 1


def test_two_approvers_racing_yield_exactly_one_decision(office):
    office.run()
    a = office.approval()
    key = f"approval:{a['id']}"
    results: dict[str, int] = {}
    start = threading.Barrier(2)

    def click(user: str, action: str) -> None:
        start.wait()
        results[user] = office.click(key, action, user=user)

    threads = [threading.Thread(target=click, args=(BOSS, "approve")),
               threading.Thread(target=click, args=(BEN, "reject"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == {BOSS: 200, BEN: 200}
    a = office.approval()
    assert a["status"] in ("approved", "rejected")
    winner = a["decided_by"].removeprefix("slack:")
    loser = BEN if winner == BOSS else BOSS
    assert any("already decided" in t for t in office.ephemerals(loser))
    decisions = [e for e in office.bot.ledger.history("INV-3001")
                 if e["kind"] in ("approval_approved", "approval_rejected")]
    assert len(decisions) == 1


def test_edit_before_sending_sends_the_edited_words(office):
    office.run()
    a = office.approval()
    key = f"approval:{a['id']}"
    assert office.click(key, "edit", trigger_id="12345.98765.abcd") == 200
    opened = office.fake.calls_to("views.open")[-1]
    view = opened["params"]["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == "edit_email"
    initial = view["blocks"][0]["element"]["initial_value"]
    assert "INV-3001" in initial
    payload = view_submission_payload(
        user=BOSS, callback_id="edit_email", private_metadata=view["private_metadata"],
        values={"subject": {"value": {"type": "plain_text_input", "value": "Invoice INV-3001: last call"}},
                "body": {"value": {"type": "plain_text_input",
                                   "value": "Dear Acme,\n\nplease pay INV-3001 this week.\n\nSam"}}})
    assert post(office.url, SECRET, interaction_body(payload))[0] == 200
    assert office.approval()["status"] == "approved"
    office.run()
    mail = office.smtp.messages[-1].message
    assert str(mail["Subject"]) == "Invoice INV-3001: last call"
    assert "please pay INV-3001 this week." in mail.get_body(("plain",)).get_content()
    assert any(p.get_filename() == "INV-3001-copy.pdf" for p in mail.iter_attachments())
    assert "email edited before sending" in blocks_text(office.updates()[-1])


def test_an_edited_subject_on_two_lines_is_refused_in_the_dialog(office):
    office.run()
    a = office.approval()
    meta = json.dumps({"approval": a["id"], "channel": "C0APPROVALS", "ts": "1.1"})
    payload = view_submission_payload(
        user=BOSS, callback_id="edit_email", private_metadata=meta,
        values={"subject": {"value": {"type": "plain_text_input", "value": "Hi\nBcc: everyone@x.test"}},
                "body": {"value": {"type": "plain_text_input", "value": "text"}}})
    status, answer = post(office.url, SECRET, interaction_body(payload))
    assert status == 200
    assert json.loads(answer)["response_action"] == "errors"
    assert office.approval()["status"] == "pending"


def test_snooze_puts_the_request_aside_and_asks_again_later(office):
    office.run()
    a = office.approval()
    key = f"approval:{a['id']}"
    office.click(key, "snooze", option=":3")
    a = office.approval()
    assert a["status"] == "snoozed"
    assert "Snoozed" in blocks_text(office.updates()[-1])
    office.clock.advance(timedelta(days=2))
    office.run()
    assert office.approval()["status"] == "snoozed"
    office.clock.advance(timedelta(days=1, hours=1))
    office.run()
    assert office.approval()["status"] == "pending"
    assert '"approve"' in blocks_text(office.updates()[-1])   # the buttons are back
    assert not office.smtp.messages


def test_a_rate_limit_is_waited_out_and_the_message_posted_once(office):
    office.fake.rate_limit_next("chat.postMessage", retry_after=30)
    office.run()
    a = office.approval()
    row = office.posted(f"approval:{a['id']}")
    assert row["status"] == "queued" and "rate limited" in row["error"]
    office.run()                       # too early: Slack asked for 30 s
    assert office.posted(f"approval:{a['id']}")["status"] == "queued"
    office.clock.advance(timedelta(seconds=31))
    office.run()
    assert office.posted(f"approval:{a['id']}")["status"] == "posted"
    answered = [c.get("answered", 200) for c in office.fake.calls_to("chat.postMessage")]
    assert answered == [429, 200]


def test_an_outage_queues_messages_and_posts_them_when_slack_is_back(office):
    office.fake.outage(True)
    office.run()
    a = office.approval()
    assert office.posted(f"approval:{a['id']}")["status"] == "queued"
    for _ in range(3):
        office.clock.advance(timedelta(minutes=10))
        office.run()
    office.fake.outage(False)
    office.clock.advance(timedelta(hours=1))
    office.run()
    assert office.posted(f"approval:{a['id']}")["status"] == "posted"
    ok = [c for c in office.fake.calls_to("chat.postMessage") if c.get("answered", 200) == 200]
    assert len(ok) == 1


def test_a_post_interrupted_by_a_crash_is_found_in_the_channel_not_posted_twice(office):
    office.run()
    a = office.approval()
    key = f"approval:{a['id']}"
    # as if the process died after Slack took the message but before the ledger knew
    office.bot.ledger.db.execute("UPDATE slack_posts SET status = 'posting', ts = NULL WHERE key = ?", [key])
    office.run()
    row = office.posted(key)
    assert row["status"] == "posted"
    assert len([c for c in office.fake.calls_to("chat.postMessage") if c.get("answered", 200) == 200]) == 1


def test_a_failed_post_that_waiting_cannot_fix_is_marked_and_not_retried(office):
    office.fake.fail_next("chat.postMessage", error="not_in_channel")
    office.run()
    a = office.approval()
    row = office.posted(f"approval:{a['id']}")
    assert row["status"] == "failed" and row["error"] == "not_in_channel"
    office.clock.advance(timedelta(hours=2))
    office.run()
    assert len(office.fake.calls_to("chat.postMessage")) == 1


def _claim(office) -> int:
    """A paid claim waiting for a person, as the reply handling leaves it."""
    led = office.bot.ledger
    led.set_state("INV-3001", InvoiceState.PAYMENT_CLAIMED, office.clock(), actor="arbot", reason="reply")
    rid = led.add_review("reply:claim", "confirm_payment", "Acme GmbH says INV-3001 is paid",
                         office.clock(), detail={"invoices": ["INV-3001"]})
    assert rid is not None
    return rid


def test_a_paid_claim_confirmed_in_slack_marks_the_invoice_paid_and_thanks_the_client(office):
    rid = _claim(office)
    office.run()
    text = blocks_text(office.message_of(f"review:{rid}"))
    assert "did the money arrive" in text and "Received" in text and "Not received" in text
    office.click(f"review:{rid}", "payment_received", user=BEN)
    inv = office.bot.ledger.invoice("INV-3001")
    assert inv is not None and inv.state == InvoiceState.PAID
    assert "received" in blocks_text(office.updates()[-1])
    office.run()
    assert any("INV-3001" in str(m.message["Subject"]) for m in office.smtp.messages)
    assert office.bot.ledger.approvals("pending") == []


def test_a_reply_to_label_can_be_labelled_with_a_click(office):
    led = office.bot.ledger
    rid = led.add_review("reply:x", "label_reply", "Acme GmbH wrote something unclear", office.clock(),
                         detail={"invoices": ["INV-3001"]})
    office.run()
    assert "Label this reply" in blocks_text(office.message_of(f"review:{rid}"))
    office.click(f"review:{rid}", "label_reply", option=":other")
    item = led.review_item(rid)
    assert item is not None and item["resolved_by"] == f"slack:{BOSS}"


def test_a_dispute_starts_a_thread_for_its_invoice(office):
    led = office.bot.ledger
    first = led.add_review("reply:d1", "dispute", "Acme GmbH disputes INV-3001", office.clock(),
                           detail={"invoices": ["INV-3001"]})
    second = led.add_review("reply:d2", "dispute", "Acme GmbH again about INV-3001", office.clock(),
                            detail={"invoices": ["INV-3001"]})
    office.run()
    head = office.message_of(f"review:{first}")
    follow = office.message_of(f"review:{second}")
    assert not head["params"].get("thread_ts")
    assert follow["params"]["thread_ts"] == office.posted(f"review:{first}")["ts"]


def test_a_decision_made_on_the_command_line_shows_in_slack(office):
    office.run()
    a = office.approval()
    office.bot.ledger.decide(a["id"], approve=False, actor="cli:sam", now=office.clock())
    office.run()
    update = office.updates()[-1]
    assert "Rejected" in blocks_text(update) and "cli:sam" in blocks_text(update)


def _command(office, text: str, user: str = BOSS) -> str:
    before = len(office.fake.responses)
    body = command_body({"command": "/arbot", "text": text, "user_id": user, "user_name": "u",
                         "channel_id": "C0APPROVALS", "team_id": "T0TEST",
                         "response_url": f"{office.fake.url}/response/cmd", "trigger_id": "1.2.3"})
    assert post(office.url, SECRET, body, content_type="application/x-www-form-urlencoded")[0] == 200
    deadline = time.monotonic() + 5
    while len(office.fake.responses) == before and time.monotonic() < deadline:
        time.sleep(0.01)
    return office.fake.responses[-1]["json"]["text"]


def test_the_arbot_command(office):
    office.run()
    assert "INV-3001" in _command(office, "status Acme GmbH")
    why = _command(office, "why INV-3001")
    assert "31 days past due" in why and "Waiting for a person" in why
    assert "not allowed" in _command(office, "pause Acme GmbH", user=EVE)
    assert "paused" in _command(office, "pause Acme GmbH")
    client = office.bot.ledger.find_client("Acme GmbH")
    assert client is not None and client.paused
    assert "resume" in _command(office, "resume Acme GmbH")
    assert "paused" in _command(office, "pause INV-3001")
    inv = office.bot.ledger.invoice("INV-3001")
    assert inv is not None and inv.paused
    assert "No client or invoice" in _command(office, "pause Nobody Ltd")
    assert "commands" in _command(office, "help")
    assert "recorded as paid" in _command(office, "paid INV-3001")


def test_the_home_tab_shows_what_waits(office):
    office.run()
    event = {"token": "x", "team_id": "T0TEST", "api_app_id": "A0TEST", "type": "event_callback",
             "event_id": "Ev1", "event_time": int(time.time()),
             "event": {"type": "app_home_opened", "user": BOSS, "channel": "D0HOME", "tab": "home",
                       "event_ts": "1.2"}}
    assert post(office.url, SECRET, json.dumps(event).encode(), content_type="application/json")[0] == 200
    deadline = time.monotonic() + 5
    while not office.fake.calls_to("views.publish") and time.monotonic() < deadline:
        time.sleep(0.01)
    view = office.fake.calls_to("views.publish")[-1]["params"]["view"]
    view = json.loads(view) if isinstance(view, str) else view
    text = json.dumps(view)
    assert view["type"] == "home" and "Waiting for approval" in text and "Acme GmbH" in text


def test_the_daily_digest_with_its_aging_chart(fake, smtp_server, tls, tmp_path, make_bot):
    cfg = world.config(tmp_path, port=smtp_server.port, security="starttls", login=True,
                       slack=world.slack(fake.api_url, digest_time="09:00"))
    clock = SimulatedClock(NOW.replace(hour=8))
    bot = make_bot(cfg, clock, cafile=tls[0])
    bot.ledger.import_invoices([
        world.row("INV-3001", "Acme GmbH", "ap@acme.test", NOW.date() - timedelta(days=31), amount="1250.00"),
        world.row("INV-3002", "Bolt Ltd", "pay@bolt.test", NOW.date() - timedelta(days=5), amount="80.00",
                  line=3),
    ], NOW)
    bot.loop.run_pass()
    assert bot.ledger.slack_post("digest:2026-11-10") is None      # not before 09:00
    clock.advance(timedelta(hours=2))
    bot.loop.run_pass()
    bot.loop.run_pass()
    digest = bot.ledger.slack_post("digest:2026-11-10")
    assert digest is not None and digest["status"] == "posted"
    call = next(c for c in fake.calls_to("chat.postMessage") if "Receivables" in c["params"].get("text", ""))
    text = blocks_text(call)
    assert "Going out today" in text and "Promises due" in text and "Aging" in text and "31-60" in text
    chart = bot.ledger.slack_post("digest:2026-11-10:chart")
    assert chart is not None and chart["status"] == "posted"
    assert any(data.startswith(b"\x89PNG") for data in fake.uploads.values())
    bot.loop.run_pass()
    posts = [c for c in fake.calls_to("chat.postMessage") if "Receivables" in c["params"].get("text", "")]
    assert len(posts) == 1                                           # once a day


def test_socket_mode_receives_a_click_and_acknowledges_it(fake, smtp_server, tls, tmp_path, make_bot):
    cfg = world.config(tmp_path, port=smtp_server.port, security="starttls", login=True,
                       slack=world.slack(fake.api_url, mode="socket"))
    clock = SimulatedClock(NOW)
    bot = make_bot(cfg, clock, cafile=tls[0])
    bot.ledger.import_invoices([
        world.row("INV-3001", "Acme GmbH", "ap@acme.test", NOW.date() - timedelta(days=31), amount="1250.00"),
    ], NOW)
    bot.loop.run_pass()
    a = bot.ledger.approvals()[0]
    row = bot.ledger.slack_post(f"approval:{a['id']}")
    assert row is not None
    app = SlackApp(cfg, bot.mailer, clock=clock)
    app.retry_seconds = 0.2
    fake.outage(True)                       # Slack is away when arbot starts: it keeps trying
    app.start()
    try:
        assert not fake.connected(0.5)
        fake.outage(False)
        assert fake.connected(5)
        payload = block_actions_payload(user=BOSS, channel="C0APPROVALS", message_ts=row["ts"], blocks=[],
                                        action_id="approve", value=f"approval:{a['id']}",
                                        block_id=f"approval:{a['id']}",
                                        response_url=f"{fake.url}/response/x")
        fake.send_envelope({"envelope_id": "env-1", "type": "interactive", "payload": payload,
                            "accepts_response_payload": False})
        assert fake.wait_for_ack("env-1", timeout=5)
        deadline = time.monotonic() + 5
        while bot.ledger.approval(a["id"])["status"] == "pending" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert bot.ledger.approval(a["id"])["status"] == "approved"
    finally:
        app.stop()


def test_check_config_connect_signs_in_to_slack_and_explains_a_failure(office):
    from bot.slack.app import probe
    ok, said = probe(office.cfg)
    assert ok and "arbot" in said
    office.fake.fail_next("auth.test", error="invalid_auth")
    ok, said = probe(office.cfg)
    assert not ok and "invalid_auth" in said and "Bot User OAuth Token" in said
    assert "xoxb-" not in said.replace("(xoxb-...)", "")       # no secret in the words


def test_arbot_status_tells_about_slack_messages_that_could_not_be_posted(office, capsys, monkeypatch):
    import argparse

    from bot import cli
    office.fake.fail_next("chat.postMessage", error="not_in_channel")
    office.run()
    monkeypatch.setattr(cli, "_ledger", lambda args: office.bot.ledger)
    cli.cmd_status(argparse.Namespace(json=False, now=None, config=None))
    assert "1 Slack message(s) could not be posted (not_in_channel)" in capsys.readouterr().out


def test_connections_of_finished_request_threads_are_closed(office):
    office.run()
    a = office.approval()
    for _ in range(6):                     # each request runs on its own thread
        office.click(f"approval:{a['id']}", "approve", user=EVE)
    assert len(office.app._ledgers) <= 2


def test_a_backlog_goes_out_over_several_passes_without_holding_up_the_loop(office):
    for n in range(40):
        office.bot.ledger.add_review(f"old:{n}", "reply", f"an older reply #{n}", office.clock())
    office.run()
    posted = office.bot.ledger.slack_posts("posted")
    assert len(posted) == office.bot.slack.PER_PASS
    assert office.bot.ledger.approvals()                 # the rest of the pass still ran
    office.run()
    office.run()
    assert len(office.bot.ledger.slack_posts("posted")) == 41
    keys = [r["key"] for r in office.bot.ledger.slack_posts("posted")]
    assert len(keys) == len(set(keys))


def test_while_slack_is_away_a_pass_tries_once_and_moves_on(office):
    for n in range(5):
        office.bot.ledger.add_review(f"away:{n}", "reply", f"a reply #{n}", office.clock())
    office.fake.outage(True)
    office.run()
    assert len(office.fake.calls_to("chat.postMessage")) == 1      # one try, then the rest of the pass
    office.fake.outage(False)
    office.clock.advance(timedelta(minutes=5))
    office.run()
    assert len(office.bot.ledger.slack_posts("posted")) == 6
