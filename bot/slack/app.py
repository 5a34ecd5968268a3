"""The Slack app (slack-bolt): buttons on approval requests and review items, the Edit before
sending dialog, the ``/arbot`` command and the App Home tab.

It runs on its own threads, in Socket Mode (arbot connects out; no public URL) or as an HTTP
endpoint whose every request Slack signs and Bolt verifies (signature and a timestamp at
most five minutes old). Handlers only *record* decisions in the ledger, each on its own
database connection; the main loop acts on them. A decision is exactly one: the ledger
accepts the first click on a pending request and refuses the rest, so a double click or two
approvers at once get "already decided". Only the configured approvers (people, or members
of a user group) may decide; anyone else gets a private "not allowed", and the attempt is
logged.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Config
from bot.ledger import Ledger, LedgerError
from bot.mailer import Mailer
from bot.replies import DecisionError, Replies
from bot.slack import blocks as B
from bot.slack import views
from bot.slack.poster import SlackPoster

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
_GROUP_TTL = 300.0  # seconds a user group's members are trusted before asking Slack again


def web_client(config: Config) -> WebClient:
    return WebClient(token=config.slack.bot_token, base_url=config.slack.api_base_url, timeout=15)


_ADVICE = {
    "invalid_auth": "the bot token is not valid: copy the Bot User OAuth Token (xoxb-...) again",
    "not_authed": "no bot token was sent: check slack.bot_token_env",
    "account_inactive": "the app was uninstalled or its user deactivated: reinstall it",
    "token_revoked": "the bot token was revoked: reinstall the app and copy the new token",
    "channel_not_found": "no such channel for this app: check slack.approvals_channel (the ID)",
    "not_in_channel": "the app is not in the approvals channel: /invite it there",
    "missing_scope": "the app lacks a scope: recreate it from docs/slack-app-manifest.yml",
}


def probe(config: Config) -> tuple[bool, str]:
    """Log in to Slack as arbot would, and check it may use the approvals channel."""
    client = web_client(config)
    try:
        me = client.auth_test()
        client.conversations_info(channel=config.slack.approvals_channel)
    except SlackApiError as e:
        error = str(e.response.get("error") or f"HTTP {e.response.status_code}")
        return False, f"{error}: {_ADVICE.get(error, 'see docs/slack.md')}"
    except OSError as e:
        return False, f"cannot reach {config.slack.api_base_url}: {e}"
    return True, f"signed in as {me.get('user')} in {me.get('team')}"


class Approvers:
    """Who may decide: the configured user IDs, and the members of the configured groups
    (asked of Slack, remembered for a few minutes)."""

    def __init__(self, ids: tuple[str, ...], client: WebClient) -> None:
        self.users = {i for i in ids if not i.startswith("S")}
        self.groups = [i for i in ids if i.startswith("S")]
        self.client = client
        self._members: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def allowed(self, user: str) -> bool:
        if user in self.users:
            return True
        return any(user in self._group(g) for g in self.groups)

    def _group(self, group: str) -> frozenset[str]:
        with self._lock:
            cached = self._members.get(group)
            if cached and time.monotonic() - cached[0] < _GROUP_TTL:
                return cached[1]
        try:
            members = frozenset(self.client.usergroups_users_list(usergroup=group).get("users") or [])
        except SlackApiError as e:
            log.error("slack: cannot read the members of user group %s (%s); only the people named in "
                      "slack.approvers may decide meanwhile", group, e.response.get("error"))
            return cached[1] if cached else frozenset()
        with self._lock:
            self._members[group] = (time.monotonic(), members)
        return members


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    """One thread per request: two people clicking at once are answered at once."""

    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        log.debug("slack http: " + format, *args)


class SlackApp:
    def __init__(self, config: Config, mailer: Mailer, *, clock: Clock,
                 client: WebClient | None = None,
                 open_ledger: Callable[[], Ledger] | None = None) -> None:
        from bot.wiring import open_ledger as default_open
        self.config = config
        self.mailer = mailer
        self.clock = clock
        self.client = client or web_client(config)
        self._open_ledger = open_ledger or (lambda: default_open(config))
        self._local = threading.local()
        self._ledgers: list[tuple[threading.Thread, Ledger]] = []
        self._lock = threading.Lock()
        self.approvers = Approvers(config.slack.approvers, self.client)
        http = config.slack.mode == "http"
        # process_before_response in HTTP mode: Slack's request is answered when the decision
        # is recorded, so a dialog's errors reach the dialog and nothing runs after the answer
        self.app = App(client=self.client, signing_secret=config.slack.signing_secret,
                       # no call to Slack while starting: an outage must not stop the bot
                       request_verification_enabled=http, token_verification_enabled=False,
                       process_before_response=http,
                       raise_error_for_unhandled_request=False, logger=logging.getLogger("bot.slack.bolt"))
        self._register()
        self._socket: Any = None
        self._http: WSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.retry_seconds = 30.0   # between attempts to connect while Slack is away

    # -- per-thread resources ---------------------------------------------------------------

    def ledger(self) -> Ledger:
        """This thread's connection to the ledger (SQLite connections are not shared between
        threads); those of threads that ended are closed here."""
        ledger: Ledger | None = getattr(self._local, "ledger", None)
        if ledger is None:
            ledger = self._open_ledger()
            self._local.ledger = ledger
            with self._lock:
                alive = []
                for thread, other in self._ledgers:
                    if thread.is_alive():
                        alive.append((thread, other))
                    else:
                        other.close()
                self._ledgers = [*alive, (threading.current_thread(), ledger)]
        return ledger

    def poster(self) -> SlackPoster:
        return SlackPoster(self.ledger(), self.config, self.mailer, self.client, clock=self.clock)

    # -- running -----------------------------------------------------------------------------

    def start(self) -> None:
        if self.config.slack.mode == "socket":
            self._thread = threading.Thread(target=self._connect, name="slack-socket", daemon=True)
            self._thread.start()
            return
        from slack_bolt.adapter.wsgi import SlackRequestHandler
        handler = SlackRequestHandler(self.app)

        def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
            if environ.get("PATH_INFO") != "/slack/events":
                start_response("404 Not Found", [("Content-Type", "text/plain")])
                return [b"not found\n"]
            return handler(environ, start_response)

        self._http = make_server(self.config.slack.http_host, self.config.slack.http_port, wsgi,
                                 server_class=_ThreadingServer, handler_class=_Quiet)
        self._thread = threading.Thread(target=self._http.serve_forever, name="slack-http", daemon=True)
        self._thread.start()
        log.info("slack: listening on http://%s:%d/slack/events", self.config.slack.http_host, self.port)

    def _connect(self) -> None:
        """Connect in Socket Mode, and keep trying while Slack cannot be reached (once
        connected, the SDK reconnects by itself)."""
        from slack_bolt.adapter.socket_mode import SocketModeHandler
        while not self._stopping.is_set():
            handler: Any = SocketModeHandler(self.app, self.config.slack.app_token, web_client=self.client)
            try:
                handler.connect()
            except Exception as e:  # noqa: BLE001 - any failure to connect: try again later
                log.warning("slack: cannot connect in Socket Mode (%s); trying again in %.0f s",
                            e, self.retry_seconds)
                handler.close()
                self._stopping.wait(self.retry_seconds)
                continue
            self._socket = handler
            log.info("slack: connected in Socket Mode")
            return

    @property
    def port(self) -> int:
        return self._http.server_port if self._http else 0

    def stop(self) -> None:
        self._stopping.set()
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None
        if self._thread is not None:
            self._thread.join(5)
        with self._lock:
            for _, ledger in self._ledgers:
                ledger.close()
            self._ledgers.clear()

    # -- handlers ----------------------------------------------------------------------------

    def _register(self) -> None:
        a = self.app
        a.action("approve")(self._approve)
        a.action("reject")(self._reject)
        a.action("snooze")(self._snooze)
        a.action("edit")(self._edit)
        a.view("edit_email")(self._edited)
        for action in ("payment_received", "payment_not_received", "dispute_resolved", "dispute_cancelled",
                       "label_reply", "label_reply_confirm", "review_done"):
            a.action(action)(self._review)
        a.command("/arbot")(self._command)
        a.event("app_home_opened")(self._home)

    def _may(self, body: dict[str, Any], what: str) -> bool:
        user = body["user"]["id"]
        if self.approvers.allowed(user):
            return True
        log.warning("slack: refused %s by %s (%s): not an approver", what, user,
                    body["user"].get("username") or body["user"].get("name") or "?")
        channel = (body.get("channel") or {}).get("id")
        if channel:
            self._tell(channel, user, "You are not allowed to decide this: only the approvers named in "
                                      "arbot's configuration can. Your click was not recorded.")
        return False

    def _tell(self, channel: str, user: str, text: str) -> None:
        try:
            self.client.chat_postEphemeral(channel=channel, user=user, text=text)
        except SlackApiError as e:
            log.warning("slack: could not tell %s: %s", user, e.response.get("error"))

    @staticmethod
    def _ref(value: str) -> tuple[int, str]:
        """``approval:12`` or ``review:7:paid`` -> (12, "") or (7, "paid")."""
        parts = value.split(":")
        return int(parts[1]), (parts[2] if len(parts) > 2 else "")

    def _decide(self, body: dict[str, Any], approve: bool) -> None:
        user = body["user"]["id"]
        aid, _ = self._ref(body["actions"][0]["value"])
        if not self._may(body, f"{'approve' if approve else 'reject'} #{aid}"):
            return
        try:
            self.ledger().decide(aid, approve=approve, actor=f"slack:{user}", now=self.clock())
        except LedgerError as e:
            self._tell(body["channel"]["id"], user, f"Not recorded: {e}")
            return
        log.info("slack: approval #%d %s by %s", aid, "approved" if approve else "rejected", user)
        self.poster().show_approval(aid)

    def _approve(self, ack: Ack, body: dict[str, Any]) -> None:
        ack()
        self._decide(body, True)

    def _reject(self, ack: Ack, body: dict[str, Any]) -> None:
        ack()
        self._decide(body, False)

    def _snooze(self, ack: Ack, body: dict[str, Any]) -> None:
        ack()
        user = body["user"]["id"]
        aid, days = self._ref(body["actions"][0]["selected_option"]["value"])
        if not self._may(body, f"snooze #{aid}"):
            return
        now = self.clock()
        try:
            self.ledger().snooze(aid, until=now + timedelta(days=int(days)), actor=f"slack:{user}", now=now)
        except LedgerError as e:
            self._tell(body["channel"]["id"], user, f"Not recorded: {e}")
            return
        self.poster().show_approval(aid)

    def _edit(self, ack: Ack, body: dict[str, Any]) -> None:
        ack()
        user = body["user"]["id"]
        aid, _ = self._ref(body["actions"][0]["value"])
        if not self._may(body, f"edit #{aid}"):
            return
        row = self.ledger().approval(aid)
        if row is None or row["status"] != "pending":
            self._tell(body["channel"]["id"], user, f"Approval request #{aid} was already decided.")
            return
        preview = self.poster().preview(row, self.clock())
        if preview is None:
            return
        view = B.edit_modal(aid, preview[0], preview[1], body["channel"]["id"], body["message"]["ts"])
        self.client.views_open(trigger_id=body["trigger_id"], view=view)

    def _edited(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        meta = json.loads(view.get("private_metadata") or "{}")
        aid = int(meta.get("approval", 0))
        values = view["state"]["values"]
        subject = (values["subject"]["value"].get("value") or "").strip()
        text = values["body"]["value"].get("value") or ""
        if not self.approvers.allowed(user):
            log.warning("slack: refused edit of #%d by %s: not an approver", aid, user)
            ack(response_action="errors", errors={"subject": "Only approvers can send this."})
            return
        if not subject or any(c in subject for c in "\r\n"):
            ack(response_action="errors", errors={"subject": "One line, not empty."})
            return
        if not text.strip():
            ack(response_action="errors", errors={"body": "The email needs a text."})
            return
        ledger = self.ledger()
        try:
            with ledger.transaction():
                ledger.set_edited(aid, subject=subject, text=text)
                ledger.decide(aid, approve=True, actor=f"slack:{user}", now=self.clock(),
                              note="edited in Slack")
        except LedgerError as e:
            ack(response_action="errors", errors={"subject": f"Not sent: {e}"[:150]})
            return
        ack()
        log.info("slack: approval #%d approved with an edited email by %s", aid, user)
        self.poster().show_approval(aid)

    _REVIEW_CHOICE = {"payment_received": "received", "payment_not_received": "not_received",
                      "dispute_resolved": "resolved", "dispute_cancelled": "cancelled", "review_done": "done"}

    def _review(self, ack: Ack, body: dict[str, Any]) -> None:
        ack()
        user = body["user"]["id"]
        action = body["actions"][0]
        value = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
        rid, label = self._ref(value)
        choice = label or self._REVIEW_CHOICE.get(action["action_id"], "done")
        if not self._may(body, f"{choice} on review #{rid}"):
            return
        replies = Replies(self.ledger(), self.config, clock=self.clock)
        try:
            done = replies.decide(rid, choice, actor=f"slack:{user}")
        except DecisionError as e:
            self._tell(body["channel"]["id"], user, f"Not recorded: {e}")
            return
        log.info("slack: review #%d decided %s by %s: %s", rid, choice, user, done)
        self.poster().show_review(rid)

    def _command(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        user = body.get("user_id", "")
        words = (body.get("text") or "").split(maxsplit=1)
        verb = words[0].lower() if words else "help"
        arg = words[1].strip() if len(words) > 1 else ""
        now = self.clock()
        ledger = self.ledger()
        if verb in ("pause", "resume", "paid") and not self.approvers.allowed(user):
            log.warning("slack: refused /arbot %s by %s: not an approver", verb, user)
            respond(text="You are not allowed to do that: only approvers can pause, resume or mark paid.",
                    response_type="ephemeral")
            return
        if verb != "help" and not arg:
            respond(text=f"`/arbot {verb}` needs a client or an invoice.\n" + views.HELP,
                    response_type="ephemeral")
            return
        if verb == "status":
            text = views.status(ledger, self.config, now, arg)
        elif verb == "why":
            text = views.why(ledger, self.config, now, arg)
        elif verb in ("pause", "resume"):
            text = views.pause(ledger, now, arg, actor=f"slack:{user}", paused=verb == "pause")
        elif verb == "paid":
            text = views.paid(ledger, now, arg, actor=f"slack:{user}")
        else:
            text = views.HELP
        respond(text=text, response_type="ephemeral")

    def _home(self, event: dict[str, Any]) -> None:
        user = event.get("user", "")
        if event.get("tab") not in (None, "home"):
            return
        view = views.home(self.ledger(), self.config, self.clock(), user,
                          approver=self.approvers.allowed(user))
        try:
            self.client.views_publish(user_id=user, view=view)
        except SlackApiError as e:
            log.warning("slack: could not show the home tab to %s: %s", user, e.response.get("error"))
