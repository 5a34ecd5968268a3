"""Everything arbot says in Slack goes through one queue, the ``slack_posts`` table, the way
every email goes through the outbox: a row per message, keyed so the same message is never
queued twice, posted once, and retried when Slack is busy or away.

* A 429 is waited out for as long as its Retry-After says; an outage (no connection, 5xx) is
  retried with growing pauses, up to an hour apart, until Slack answers. Nothing is dropped.
* Errors that waiting cannot fix (a wrong channel, a revoked token) mark the row failed and
  are logged for an admin; ``arbot status`` counts them.
* A post a crash interrupted is looked for in the channel before it is posted again: every
  message carries its key in Slack's message metadata, as every email carries its
  Message-ID.

The loop calls ``queue_for_slack`` (what should be in Slack and is not yet) and
``post_one_to_slack``; the Slack handlers call ``post_now`` so a decision shows at once.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Config
from bot.ledger import Ledger, parse_time
from bot.mailer import Mailer
from bot.slack import blocks as B
from bot.templates import TemplateError

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

#: Slack errors that no retry can fix: an admin must act.
PERMANENT = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "not_authed",
    "account_inactive", "token_revoked", "token_expired", "missing_scope", "invalid_blocks",
    "msg_too_long", "no_text", "restricted_action", "cant_update_message", "message_not_found",
    "invalid_arguments", "team_access_not_granted", "ekm_access_denied",
})
_METADATA_TYPE = "arbot_post"
_MAX_PAUSE = timedelta(hours=1)


class SlackPoster:
    def __init__(self, ledger: Ledger, config: Config, mailer: Mailer, client: WebClient, *,
                 clock: Clock, sleep: Callable[[float], None] = time.sleep) -> None:
        self.ledger = ledger
        self.config = config
        self.slack = config.slack
        self.mailer = mailer
        self.client = client
        self.clock = clock
        self.sleep = sleep
        self._last_post = 0.0
        self._budget = self.PER_PASS

    #: Posts per pass of the loop: a backlog (Slack was away for a day) goes out over several
    #: passes, at Slack's pace, without holding up the emails and replies of each pass.
    PER_PASS = 30

    # -- what should be in Slack ------------------------------------------------------------

    def queue_for_slack(self) -> bool:
        """Queue every Slack message the ledger calls for and Slack does not have yet:
        approval requests and their decisions, review items and theirs, the daily digest.
        One call queues all; returns False (nothing left for another unit)."""
        now = self.clock()
        self._budget = self.PER_PASS
        for aid in self.ledger.wake_snoozed(now):
            row = self.ledger.approval(aid)
            if row is not None and self.ledger.slack_post(f"approval:{aid}"):
                self._queue_approval(row, now, key=f"approval:{aid}:awake:{row['snoozed_until']}",
                                     update=True)
        new, decided = self.ledger.approvals_for_slack()
        for row in new:
            self._queue_approval(row, now, key=f"approval:{row['id']}")
        for row in decided:
            what = "snoozed" if row["status"] == "snoozed" else "decided"
            self._queue_approval(row, now, key=f"approval:{row['id']}:{what}:{row['decided_at']}",
                                 update=True)
        open_items, resolved = self.ledger.reviews_for_slack()
        for item in open_items:
            self._queue_review(item, now, key=f"review:{item['id']}")
        for item in resolved:
            self._queue_review(item, now, key=f"review:{item['id']}:decided", update=True)
        self._queue_digest(now)
        return False

    def preview(self, row: dict[str, Any], now: datetime) -> tuple[str, str] | None:
        """The email an approval would send (as edited, if a person edited it); None for a task."""
        if row["action"] == "task":
            return None
        edited = self.ledger.edited([row["id"]])
        if edited is not None:
            return edited
        client = self.ledger.client(row["client_id"])
        assert client is not None
        tier = next((t for t in self.config.policy.ladder.tiers if t.name == row["tier"]), None)
        try:
            rendered = self.mailer.render(tier.template if tier else row["tier"], client,
                                          self.ledger.invoices(row["invoices"]), now)
        except TemplateError as e:
            return ("(the template does not render)", f"Template error: {e}")
        return rendered.subject, rendered.text

    def show_approval(self, approval_id: int) -> None:
        """After a decision: queue the update of the request's message, and post it now."""
        now = self.clock()
        row = self.ledger.approval(approval_id)
        if row is None or row["status"] == "pending" or not self.ledger.slack_post(f"approval:{approval_id}"):
            return
        what = "snoozed" if row["status"] == "snoozed" else "decided"
        key = f"approval:{approval_id}:{what}:{row['decided_at']}"
        self._queue_approval(row, now, key=key, update=True)
        self.post_now(key)

    def show_review(self, review_id: int) -> None:
        now = self.clock()
        item = self.ledger.review_item(review_id)
        if item is None or not item["resolved_at"] or not self.ledger.slack_post(f"review:{review_id}"):
            return
        key = f"review:{review_id}:decided"
        self._queue_review(item, now, key=key, update=True)
        self.post_now(key)

    def approval_view(self, row: dict[str, Any], now: datetime) -> tuple[str, list[B.Block]]:
        client = self.ledger.client(row["client_id"])
        assert client is not None
        invoices = self.ledger.invoices(row["invoices"])
        today = now.astimezone(ZoneInfo(self.slack.timezone)).date()
        preview = self.preview(row, now)
        decided = None
        if row["status"] != "pending" and row["decided_at"]:
            until = parse_time(row["snoozed_until"]) if row["status"] == "snoozed" else None
            decided = B.decision_line(row["status"], row["decided_by"] or "?", parse_time(row["decided_at"]),
                                      self.slack.timezone, until=until,
                                      edited=row["edited_text"] is not None)
        events = self.ledger.history(client_id=client.id, limit=60)
        blocks = B.approval_blocks(row, client, invoices, today=today, events=events, preview=preview,
                                   tz=self.slack.timezone, snooze_days=self.slack.snooze_days,
                                   decided=decided)
        return B.approval_text(row, client), blocks

    def _queue_approval(self, row: dict[str, Any], now: datetime, *, key: str, update: bool = False) -> None:
        text, blocks = self.approval_view(row, now)
        self.ledger.slack_enqueue(key, "approval", self.slack.approvals_channel, text, now, blocks=blocks,
                                  ref=row["id"], update_key=f"approval:{row['id']}" if update else None)

    def review_view(self, item: dict[str, Any], now: datetime) -> tuple[str, list[B.Block]]:
        message = self.ledger.message(item["message"]) if item["message"] else None
        numbers = item["detail"].get("invoices") or (message or {}).get("invoices") or []
        invoices = self.ledger.invoices(numbers) if numbers else []
        today = now.astimezone(ZoneInfo(self.slack.timezone)).date()
        decided = None
        if item["resolved_at"]:
            decided = B.review_decision_line(item["resolution"] or "done", item["resolved_by"] or "?",
                                             parse_time(item["resolved_at"]), self.slack.timezone)
        return B.review_text(item), B.review_blocks(item, message=message, invoices=invoices, today=today,
                                                    decided=decided)

    def _queue_review(self, item: dict[str, Any], now: datetime, *, key: str, update: bool = False) -> None:
        text, blocks = self.review_view(item, now)
        numbers = item["detail"].get("invoices") or []
        # one thread per disputed invoice: later words about it gather under the first
        thread = f"invoice:{numbers[0]}" if item["kind"] == "dispute" and numbers and not update else None
        self.ledger.slack_enqueue(key, "review", self.slack.approvals_channel, text, now, blocks=blocks,
                                  ref=item["id"], thread_key=thread,
                                  update_key=f"review:{item['id']}" if update else None)

    def _queue_digest(self, now: datetime) -> None:
        if self.slack.digest_time is None:
            return
        local = now.astimezone(ZoneInfo(self.slack.timezone))
        if local.time() < self.slack.digest_time:
            return
        key = f"digest:{local.date().isoformat()}"
        if self.ledger.slack_post(key):
            return
        from bot.slack.views import digest
        text, blocks, chart = digest(self.ledger, self.config, now)
        with self.ledger.transaction():
            self.ledger.slack_enqueue(key, "digest", self.slack.approvals_channel, text, now, blocks=blocks,
                                      thread_key=key)
            self.ledger.slack_enqueue(key + ":chart", "digest_chart", self.slack.approvals_channel,
                                      "Aging of what is owed", now, thread_key=key, file=chart)

    # -- posting -----------------------------------------------------------------------------

    def post_one_to_slack(self) -> bool:
        """Post the next due message. Returns whether there may be more."""
        if self._budget <= 0:
            return False
        row = self.ledger.slack_due(self.clock())
        if row is None:
            return False
        self._budget -= 1
        self._post(row)
        return True

    def post_now(self, key: str) -> None:
        """Post one queued message at once (after a click), unless the loop already is."""
        row = self.ledger.slack_post(key)
        if row is not None and row["status"] == "queued":
            self._post(row)

    def settle_interrupted_posts(self) -> bool:
        """Posts a crash left half done: found in the channel, or queued again."""
        for row in self.ledger.slack_interrupted():
            found = self._find_posted(row) if row["update_key"] is None and row["file"] is None else None
            if found:
                self.ledger.slack_done(row["id"], self.clock(), ts=found, channel=row["channel"])
                log.info("slack: %s was posted before the interruption (ts %s)", row["key"], found)
            else:
                self.ledger.slack_retry(row["id"], self.clock(), "interrupted; posting again")
        return False

    def _find_posted(self, row: dict[str, Any]) -> str | None:
        oldest = parse_time(row["created_at"]) - timedelta(minutes=5)
        try:
            answer = self.client.conversations_history(channel=row["channel"], oldest=str(oldest.timestamp()),
                                                       include_all_metadata=True, limit=200)
        except SlackApiError as e:
            log.warning("slack: cannot look for %s in the channel (%s); posting again",
                        row["key"], e.response.get("error"))
            return None
        for m in answer.get("messages") or []:
            meta = m.get("metadata") or {}
            if meta.get("event_type") == _METADATA_TYPE and \
                    (meta.get("event_payload") or {}).get("key") == row["key"]:
                return str(m["ts"])
        return None

    def _post(self, row: dict[str, Any]) -> None:
        now = self.clock()
        pid, key = row["id"], row["key"]
        target = parent = None
        if row["update_key"]:
            target = self.ledger.slack_post(row["update_key"])
            if target is None or target["status"] != "posted":
                # the message to update is not in Slack yet: after it
                if target is not None and target["status"] == "failed":
                    self.ledger.slack_failed(pid, f"the message to update ({row['update_key']}) failed")
                else:
                    self.ledger.slack_retry(pid, now + timedelta(seconds=30),
                                            "waiting for the message it updates")
                return
        elif row["thread_key"]:
            first = self.ledger.slack_thread_head(row["thread_key"])
            if first is not None and first["id"] != pid:
                if first["status"] != "posted":
                    self.ledger.slack_retry(pid, now + timedelta(seconds=30), "waiting for its thread")
                    return
                parent = first
        if not self.ledger.slack_claim(pid, now):
            return
        self._pace()
        blocks = json.loads(row["blocks"])
        try:
            if target is not None:
                answer = self.client.chat_update(channel=target["channel"], ts=target["ts"], text=row["text"],
                                                 blocks=blocks)
                ts, channel = str(target["ts"]), str(target["channel"])
            elif row["file"] is not None:
                answer = self.client.files_upload_v2(
                    channel=row["channel"], content=bytes(row["file"]), filename="aging.png",
                    title=row["text"], thread_ts=parent["ts"] if parent else None)
                files = answer.get("files") or [answer.get("file") or {}]
                ts, channel = f"file:{files[0].get('id', '?')}", str(row["channel"])
            else:
                answer = self.client.chat_postMessage(
                    channel=row["channel"], text=row["text"], blocks=blocks or None,
                    thread_ts=parent["ts"] if parent else None, unfurl_links=False, unfurl_media=False,
                    metadata={"event_type": _METADATA_TYPE, "event_payload": {"key": key}})
                ts, channel = str(answer["ts"]), str(answer.get("channel") or row["channel"])
        except SlackApiError as e:
            self._failed(row, e)
            return
        except OSError as e:  # no connection, a timeout: Slack is away
            self._retry(row, f"Slack unreachable: {e}")
            return
        self.ledger.slack_done(pid, self.clock(), ts=ts, channel=channel)
        log.info("slack: posted %s", key)

    def _pace(self) -> None:
        """About one message a second, Slack's pace for a channel."""
        wait = 1.0 - (time.monotonic() - self._last_post)
        if wait > 0:
            self.sleep(wait)
        self._last_post = time.monotonic()

    def _failed(self, row: dict[str, Any], e: SlackApiError) -> None:
        status = e.response.status_code
        error = str(e.response.get("error") or f"HTTP {status}") if isinstance(e.response.data, dict) \
            else f"HTTP {status}"
        if status == 429:
            self._budget = 0
            after = _retry_after(e.response.headers)
            self.ledger.slack_retry(row["id"], self.clock() + timedelta(seconds=after),
                                    f"rate limited, waiting {after} s")
            log.warning("slack: rate limited on %s, waiting %d s as asked", row["key"], after)
        elif error in PERMANENT:
            self.ledger.slack_failed(row["id"], error)
            log.error("slack: %s cannot be posted: %s (an admin must fix the Slack setup)", row["key"], error)
        else:
            self._retry(row, error)

    def _retry(self, row: dict[str, Any], error: str) -> None:
        self._budget = 0    # Slack is away: no more tries this pass, the loop goes on
        pause = min(timedelta(seconds=15 * 2 ** min(row["attempts"], 12)), _MAX_PAUSE)
        self.ledger.slack_retry(row["id"], self.clock() + pause, error)
        log.warning("slack: %s not posted (%s); trying again in %d s", row["key"], error,
                    pause.total_seconds())


def _retry_after(headers: Any) -> int:
    for name in ("Retry-After", "retry-after"):
        value = headers.get(name) if headers else None
        if value:
            raw = value[0] if isinstance(value, list) else value
            try:
                return max(1, int(float(raw)))
            except ValueError:
                break
    return 30
