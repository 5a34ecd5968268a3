"""The optional second opinion on replies: a language model behind an OpenAI-compatible HTTP
endpoint (``[classifier]``, docs/classifier.md). Off unless ``[classifier] endpoint`` is set.

One request per reply: ``POST {endpoint}/chat/completions`` with the model, temperature 0, the
instructions and the reply's new text, asking for a JSON object (the chat completions API's
``response_format``). What comes back is checked in ``bot.core.opinion``; how it combines with
the rules is decided there too.

The rules never wait on the endpoint for long: every failure (no connection, a timeout, an
HTTP error, an answer that is not a usable opinion) leaves the rules' reading as it was, with
one warning; after a failure to answer at all, the endpoint is left alone for ``PAUSE_SECONDS``
so that each following reply does not wait out the timeout again. The key is sent only as
the Authorization header and is never logged.
"""

from __future__ import annotations

import http.client
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.config import ClassifierConfig
from bot.core import opinion
from bot.core.classify import Reading

log = logging.getLogger(__name__)

#: Seconds the endpoint is left alone after it failed to answer.
PAUSE_SECONDS = 60.0
_MAX_ANSWER = 1 << 20   # bytes: a label and a few phrases need far less


class EndpointError(Exception):
    """The endpoint gave no usable opinion. ``down``: it did not answer at all (no connection,
    a timeout, an HTTP error), so asking again at once would likely fail the same way."""

    def __init__(self, message: str, *, down: bool) -> None:
        super().__init__(message)
        self.down = down


class Endpoint:
    """A chat-completions endpoint that labels one reply per request."""

    def __init__(self, config: ClassifierConfig, *,
                 opener: urllib.request.OpenerDirector | None = None) -> None:
        self.config = config
        self.url = config.endpoint.rstrip("/") + "/chat/completions"
        self.opener = opener or urllib.request.build_opener()

    def __repr__(self) -> str:
        return f"Endpoint({self.url!r}, model={self.config.model!r})"

    def ask(self, subject: str, text: str, *, sent: datetime | None = None) -> opinion.Opinion:
        c = self.config
        body = {"model": c.model, "temperature": 0,
                "messages": opinion.messages(subject, text, sent=sent, max_chars=c.max_chars),
                "response_format": {"type": "json_object"}}
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if c.api_key:
            headers["Authorization"] = f"Bearer {c.api_key}"
        request = urllib.request.Request(self.url, data=json.dumps(body).encode(), headers=headers,
                                         method="POST")
        try:
            with self.opener.open(request, timeout=c.timeout_seconds) as answer:
                raw = answer.read(_MAX_ANSWER + 1)
        except urllib.error.HTTPError as e:
            e.close()
            raise EndpointError(f"answered HTTP {e.code}", down=True) from None
        except urllib.error.URLError as e:
            raise EndpointError(f"cannot be reached ({_reason(e.reason)})", down=True) from None
        except (OSError, http.client.HTTPException) as e:
            raise EndpointError(f"did not answer ({_reason(e)})", down=True) from None
        if len(raw) > _MAX_ANSWER:
            raise EndpointError("answered more than 1 MB", down=False)
        try:
            return opinion.read_answer(_content(raw), subject=subject, text=text)
        except opinion.BadAnswer as e:
            raise EndpointError(f"answered {e}", down=False) from None


def _reason(e: object) -> str:
    if isinstance(e, TimeoutError):
        return "timed out"
    return str(e) or type(e).__name__


def _content(raw: bytes) -> str:
    """The first choice's message content of a chat completion."""
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except ValueError:
        raise opinion.BadAnswer("something that is not JSON") from None
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise opinion.BadAnswer("without choices[0].message.content") from None
    if not isinstance(content, str):
        raise opinion.BadAnswer("a message content that is not text")
    return content


class SecondOpinion:
    """The rules' reading of a reply, checked by the endpoint when it is up (``opinion.combine``
    says how the two combine; ``act_threshold`` bounds a reading they disagree on)."""

    def __init__(self, endpoint: Endpoint, *, act_threshold: float,
                 monotonic: Callable[[], float] = time.monotonic,
                 pause: float = PAUSE_SECONDS) -> None:
        self.endpoint = endpoint
        self.act_threshold = act_threshold
        self.monotonic = monotonic
        self.pause = pause
        self.paused_until: float | None = None

    def read(self, subject: str, rules: Reading, *, automatic: str | None = None,
             sent: datetime | None = None) -> Reading:
        if not opinion.worth_asking(rules, automatic):
            return rules
        if self.paused_until is not None:
            if self.monotonic() < self.paused_until:
                return rules
            self.paused_until = None
        try:
            said = self.endpoint.ask(subject, rules.text, sent=sent)
        except EndpointError as e:
            if e.down:
                self.paused_until = self.monotonic() + self.pause
                log.warning("classifier: %s %s; the rules decide alone for the next %.0f s",
                            self.endpoint.url, e, self.pause)
            else:
                log.warning("classifier: %s %s; the rules' reading stands", self.endpoint.url, e)
            return rules
        combined = opinion.combine(rules, said, act_threshold=self.act_threshold, sent=sent)
        log.info("classifier: rules %s %.2f, endpoint %s %.2f: %s %.2f", rules.label.value,
                 rules.confidence, said.label.value, said.confidence, combined.label.value,
                 combined.confidence)
        return combined
