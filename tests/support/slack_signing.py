"""Requests to the Slack app, made the way Slack makes them: the body signed with the app's
signing secret (``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}``), interactive payloads
form-encoded in one ``payload`` field, slash commands as form fields."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

FORM = "application/x-www-form-urlencoded"


def signature(secret: str, timestamp: str | int, body: bytes) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, timestamp: int | None = None,
                   content_type: str = FORM) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": signature(secret, ts, body),
            "Content-Type": content_type}


def interaction_body(payload: dict[str, Any]) -> bytes:
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def command_body(fields: dict[str, str]) -> bytes:
    return urllib.parse.urlencode(fields).encode()


def post(url: str, secret: str, body: bytes, *, timestamp: int | None = None, content_type: str = FORM,
         bad_signature: bool = False) -> tuple[int, str]:
    """POST a signed request; returns (HTTP status, body)."""
    headers = signed_headers(secret, body, timestamp, content_type)
    if bad_signature:
        headers["X-Slack-Signature"] = "v0=" + "0" * 64
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.read().decode()


def block_actions_payload(*, user: str, channel: str, message_ts: str, blocks: list[dict[str, Any]],
                          action_id: str, value: str | None, block_id: str | None, response_url: str,
                          selected_option: dict[str, Any] | None = None,
                          trigger_id: str = "1700000000.1234.abcdef") -> dict[str, Any]:
    """A click on a button (or a choice in a select) of a message, as Slack reports it."""
    action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "action_ts": f"{time.time():.6f}"}
    if selected_option is not None:
        action.update(type="static_select", selected_option=selected_option)
    else:
        action.update(type="button", value=value, text={"type": "plain_text", "text": action_id})
    return {
        "type": "block_actions", "api_app_id": "A0TEST0001", "token": "legacy-token",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0TEST0001"},
        "team": {"id": "T0TEST0001", "domain": "example-team"}, "enterprise": None,
        "is_enterprise_install": False,
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                      "is_ephemeral": False},
        "trigger_id": trigger_id, "channel": {"id": channel, "name": "approvals"},
        "message": {"type": "message", "user": "U0BOT00001", "bot_id": "B0BOT00001", "ts": message_ts,
                    "text": "", "blocks": blocks},
        "state": {"values": {}}, "response_url": response_url, "actions": [action],
    }


def view_submission_payload(*, user: str, callback_id: str, private_metadata: str,
                            values: dict[str, Any]) -> dict[str, Any]:
    """A dialog (modal) submitted, with the values of its inputs."""
    return {
        "type": "view_submission", "api_app_id": "A0TEST0001", "token": "legacy-token",
        "team": {"id": "T0TEST0001", "domain": "example-team"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0TEST0001"},
        "is_enterprise_install": False, "enterprise": None, "trigger_id": "1700000000.5678.abcdef",
        "view": {"id": "V0TEST0001", "team_id": "T0TEST0001", "type": "modal", "callback_id": callback_id,
                 "private_metadata": private_metadata, "blocks": [], "state": {"values": values},
                 "hash": "1700000000.abcdef", "app_id": "A0TEST0001", "bot_id": "B0BOT00001"},
        "response_urls": [],
    }
