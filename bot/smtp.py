"""Sending over SMTP: STARTTLS, implicit TLS or none, AUTH, and an honest account of failures.

The boundary translates smtplib's exceptions into ``SendError`` with two facts the outbox
needs: is it worth trying again (``transient``), and could the message have been delivered
anyway (``ambiguous``). The only ambiguous moment is after the message data went out and
before the server's reply came back (RFC 5321 section 4.1.1.4: the server takes
responsibility when it answers 250 to the final dot). Everything before that failed cleanly.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from typing import Protocol

from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from bot.config import Smtp
from bot.oauth import OAuthError, Tokens, oauthbearer, xoauth2

log = logging.getLogger(__name__)


class SendError(Exception):
    def __init__(self, message: str, *, transient: bool, ambiguous: bool = False) -> None:
        super().__init__(message)
        self.transient = transient
        self.ambiguous = ambiguous


class Transport(Protocol):
    def send(self, msg: EmailMessage, sender: str, recipients: Sequence[str]) -> None: ...

    def close(self) -> None: ...


def _classify(e: BaseException, *, stage: str) -> SendError:
    if isinstance(e, SendError):
        return e
    if isinstance(e, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in e.recipients.values()})
        return SendError(f"recipients refused: {codes}", transient=all(400 <= c < 500 for c in codes))
    if isinstance(e, smtplib.SMTPAuthenticationError):
        return SendError(f"authentication failed ({e.smtp_code}): check smtp.username and the "
                         f"password variable", transient=False)
    if isinstance(e, smtplib.SMTPResponseException):
        detail = e.smtp_error.decode(errors="replace") if isinstance(e.smtp_error, bytes) \
            else str(e.smtp_error)
        return SendError(f"server said {e.smtp_code} {detail[:200]}",
                         transient=400 <= e.smtp_code < 500)
    if isinstance(e, smtplib.SMTPNotSupportedError):
        return SendError(f"server does not support what the config asks: {e}", transient=False)
    if isinstance(e, ssl.SSLCertVerificationError):
        return SendError(f"TLS certificate not trusted: {e.verify_message}", transient=False)
    if isinstance(e, (OSError, smtplib.SMTPException)):
        if stage == "data":
            return SendError(f"connection lost while the message was handed over ({e}); it may "
                             f"or may not have been delivered", transient=False, ambiguous=True)
        return SendError(f"{stage}: {type(e).__name__}: {e}", transient=True)
    raise e


class SmtpTransport:
    """One connection per batch, reopened when the server dropped it."""

    def __init__(self, settings: Smtp, *, ssl_context: ssl.SSLContext | None = None,
                 sleep: Callable[[float], None] | None = None, local_hostname: str | None = None,
                 tokens: Tokens | None = None) -> None:
        self.settings = settings
        self.tokens = tokens
        self.context = ssl_context or ssl.create_default_context()
        self.sleep = sleep
        self.local_hostname = local_hostname
        self._conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        conn: smtplib.SMTP
        if s.security == "tls":
            conn = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_seconds,
                                    context=self.context, local_hostname=self.local_hostname)
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds,
                                local_hostname=self.local_hostname)
        try:
            conn.ehlo()
            if s.security == "starttls":
                # RFC 3207: never send credentials or mail before TLS when it is configured
                conn.starttls(context=self.context)
                conn.ehlo()
            self._login(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _login(self, conn: smtplib.SMTP) -> None:
        """The one place where the login mechanism is chosen (``[smtp] auth``)."""
        s = self.settings
        if s.auth == "oauth2":
            if self.tokens is None:
                raise SendError("smtp.auth is \"oauth2\" but no [oauth] token source was set up",
                                transient=False)
            try:
                token = self.tokens.token()
            except OAuthError as e:
                raise SendError(f"no token for SMTP: {e}", transient=False) from None
            offered = (conn.esmtp_features.get("auth") or "").upper().split()
            # XOAUTH2 where offered (Microsoft 365, Gmail), else the standard OAUTHBEARER
            mechanism = "OAUTHBEARER" if "OAUTHBEARER" in offered and "XOAUTH2" not in offered else "XOAUTH2"
            answer = (oauthbearer if mechanism == "OAUTHBEARER" else xoauth2)(s.username, token)
            try:
                conn.auth(mechanism, lambda challenge=None: answer, initial_response_ok=True)
            except smtplib.SMTPAuthenticationError as e:
                raise SendError(f"the server refused the token for {s.username} ({e.smtp_code}): check "
                                f"that the app may send as this mailbox and that SMTP AUTH is on for it",
                                transient=False) from None
        elif s.username:
            conn.login(s.username, s.password)

    def _connection(self) -> smtplib.SMTP:
        if self._conn is not None:
            try:
                if self._conn.noop()[0] == 250:
                    return self._conn
            except (OSError, smtplib.SMTPException):
                pass
            self.close()
        self._conn = self._connect()
        return self._conn

    def _send_once(self, msg: EmailMessage, sender: str, recipients: Sequence[str]) -> None:
        stage = "connect"
        try:
            conn = self._connection()
            stage = "envelope"
            code, resp = conn.mail(sender)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, resp, sender)
            refused: dict[str, tuple[int, bytes]] = {}
            for r in recipients:
                code, resp = conn.rcpt(r)
                if code not in (250, 251):
                    refused[r] = (code, resp)
            if refused:
                conn.rset()
                # All-or-nothing: a reminder that reaches only some of the client's contacts
                # is not what was planned.
                raise smtplib.SMTPRecipientsRefused(refused)
            stage = "data"
            code, resp = conn.data(msg.as_bytes())
            if code != 250:
                raise smtplib.SMTPDataError(code, resp)
        except BaseException as e:
            if isinstance(e, (smtplib.SMTPServerDisconnected, OSError)) or stage == "data":
                self.close()
            if isinstance(e, smtplib.SMTPResponseException) and stage == "data":
                # the server answered the data with an error: definitely not accepted
                raise _classify(e, stage="reply") from e
            raise _classify(e, stage=stage) from e

    def send(self, msg: EmailMessage, sender: str, recipients: Sequence[str]) -> None:
        sleep: Callable[[float], None] = self.sleep or time.sleep
        retry = Retrying(
            stop=stop_after_attempt(3),
            wait=wait_exponential(multiplier=1, min=1, max=20),
            retry=retry_if_exception(lambda e: isinstance(e, SendError) and e.transient),
            reraise=True,
            sleep=sleep,
        )
        for attempt in retry:
            with attempt:
                self._send_once(msg, sender, recipients)

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (OSError, smtplib.SMTPException):
                with contextlib.suppress(OSError):
                    self._conn.close()
            self._conn = None


def probe(settings: Smtp, *, ssl_context: ssl.SSLContext | None = None,
          tokens: Tokens | None = None) -> str:
    """Connect and log in, send nothing. Returns the server's greeting name."""
    t = SmtpTransport(settings, ssl_context=ssl_context, tokens=tokens)
    try:
        conn = t._connection()
        return conn.ehlo_resp.decode(errors="replace").splitlines()[0] if conn.ehlo_resp else ""
    except (OSError, smtplib.SMTPException, socket.gaierror) as e:
        raise _classify(e, stage="connect") from e
    finally:
        t.close()
