"""Sending through Microsoft Graph (``[mail] transport = "graph"``), for Microsoft 365 tenants
where SMTP AUTH is off.

The message goes as its own MIME text (``sendMail`` takes a base64 MIME body), so everything
arbot built stays as it was: the Message-ID, the In-Reply-To and References that thread a
reminder under the invoice, the attachments, the Auto-Submitted header. Exchange saves the
copy in Sent Items. A 429 or 503 is waited out as its Retry-After says (briefly here; a
longer wait goes back to the outbox, which tries again later).
"""

from __future__ import annotations

import base64
import logging
import time
import urllib.parse
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from typing import Any

import requests

from bot.oauth import OAuthError, Tokens
from bot.smtp import SendError

log = logging.getLogger(__name__)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
_MAX_INLINE_WAIT = 30.0   # seconds of Retry-After waited here; longer goes back to the outbox


class GraphTransport:
    def __init__(self, mailbox: str, tokens: Tokens, *, base_url: str = "https://graph.microsoft.com/v1.0/",
                 session: requests.Session | None = None, sleep: Callable[[float], None] = time.sleep,
                 attempts: int = 3, timeout: float = 60.0) -> None:
        self.mailbox = mailbox
        self.tokens = tokens
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.session = session or requests.Session()
        self.sleep = sleep
        self.attempts = attempts
        self.timeout = timeout

    def send(self, msg: EmailMessage, sender: str, recipients: Sequence[str]) -> None:
        """Send ``msg`` to ``recipients`` from the configured mailbox. The envelope's
        recipients are the message's To, Cc and Bcc; Graph reads them from the MIME text."""
        url = f"{self.base_url}users/{urllib.parse.quote(self.mailbox, safe='@')}/sendMail"
        body = base64.b64encode(msg.as_bytes())
        for attempt in range(1, self.attempts + 1):
            try:
                token = self.tokens.token(GRAPH_SCOPE)
            except OAuthError as e:
                raise SendError(f"no token for Microsoft Graph: {e}", transient=False) from None
            try:
                answer = self.session.post(url, data=body, timeout=self.timeout, headers={
                    "Authorization": f"Bearer {token}", "Content-Type": "text/plain"})
            except requests.Timeout:
                # the request may have reached Exchange: whether it was sent is not known
                raise SendError("Microsoft Graph did not answer in time; the message may or may not "
                                "have been sent", transient=False, ambiguous=True) from None
            except requests.RequestException as e:
                raise SendError(f"cannot reach Microsoft Graph: {e}", transient=True) from None
            if answer.status_code == 202:
                return
            wait = _retry_after(answer)
            if answer.status_code in (429, 503, 504) and attempt < self.attempts and wait <= _MAX_INLINE_WAIT:
                log.warning("graph: %d, waiting %.0f s as asked", answer.status_code, wait)
                self.sleep(wait)
                continue
            raise _error(answer)
        raise SendError("Microsoft Graph kept asking to wait", transient=True)  # pragma: no cover

    def close(self) -> None:
        self.session.close()


def _retry_after(answer: requests.Response) -> float:
    raw = answer.headers.get("Retry-After", "")
    try:
        return max(0.0, float(raw))
    except ValueError:
        return 5.0


_ADVICE = {
    "ErrorAccessDenied": "the app lacks the Mail.Send application permission, or an application "
                         "access policy keeps it from this mailbox",
    "MailboxNotEnabledForRESTAPI": "the mailbox is not in Exchange Online (or has no licence)",
    "ResourceNotFound": "no such mailbox: check smtp.username",
    "ErrorInvalidRecipients": "a recipient address is not valid",
    "InvalidAuthenticationToken": "the token was refused: check the app registration and its tenant",
}


def _error(answer: requests.Response) -> SendError:
    code, message = "", answer.text[:200]
    try:
        err: dict[str, Any] = answer.json().get("error") or {}
        code, message = str(err.get("code") or ""), str(err.get("message") or message)
    except ValueError:
        pass
    status = answer.status_code
    advice = _ADVICE.get(code)
    text = f"Microsoft Graph answered {status} {code}: {advice or message}".strip()
    return SendError(text, transient=status in (429, 500, 502, 503, 504))
