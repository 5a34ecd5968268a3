"""Real SMTP servers on loopback for the tests: aiosmtpd with STARTTLS or implicit TLS and
AUTH, recording what arrives; and a bare peer that drops the line during DATA."""

from __future__ import annotations

import base64
import email
import email.policy
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

USER, PASSWORD = "bot@example.test", "s3cret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class Recorder:
    """aiosmtpd handler keeping every message; can answer the next DATA commands with errors."""

    messages: list[Received] = field(default_factory=list)
    data_replies: list[str] = field(default_factory=list)  # e.g. ["451 4.3.0 busy"]
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: XOAUTH2: given a bearer token, the mailbox it grants (None: refused); unset, no XOAUTH2
    token_owner: Callable[[str], str | None] | None = None
    logins: list[str] = field(default_factory=list)

    async def auth_OAUTHBEARER(self, server: Any, args: list[bytes]) -> AuthResult:  # noqa: N802
        """SASL OAUTHBEARER (RFC 7628): the same check, in the standard's framing."""
        if self.token_owner is None:
            return AuthResult(success=False, handled=False)
        blob = await server.challenge_auth("") if len(args) == 1 else base64.b64decode(args[1])
        gs2, _, rest = blob.decode().partition("\x01")
        user = next((p[2:] for p in gs2.split(",") if p.startswith("a=")), "")
        fields = dict(p.split("=", 1) for p in rest.split("\x01") if "=" in p)
        token = fields.get("auth", "").removeprefix("Bearer ")
        ok = bool(user) and self.token_owner(token) == user
        if ok:
            self.logins.append("OAUTHBEARER:" + user)
        return AuthResult(success=ok, handled=False,
                          auth_data=LoginPassword(user.encode(), b"") if ok else None)

    async def auth_XOAUTH2(self, server: Any, args: list[bytes]) -> AuthResult:  # noqa: N802
        """SASL XOAUTH2 (as Microsoft 365 and Gmail take it): user and bearer token, checked
        against the token authority of the test."""
        if self.token_owner is None:
            return AuthResult(success=False, handled=False)
        if len(args) == 1:
            blob = await server.challenge_auth("")
        else:
            blob = base64.b64decode(args[1])
        fields = dict(p.split("=", 1) for p in blob.decode().split("\x01") if "=" in p)
        user, token = fields.get("user", ""), fields.get("auth", "").removeprefix("Bearer ")
        ok = bool(user) and self.token_owner(token) == user
        if ok:
            self.logins.append(user)
        return AuthResult(success=ok, handled=False,
                          auth_data=LoginPassword(user.encode(), b"") if ok else None)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.data_replies:
                return self.data_replies.pop(0)
            msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg,  # type: ignore[arg-type]
                                          envelope.content))
        return "250 OK"


def _auth(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(), PASSWORD.encode())
    # handled=False: aiosmtpd then sends the 535 itself (with True a failure gets no reply)
    return AuthResult(success=ok, handled=False, auth_data=data)


class _ImplicitTlsController(Controller):
    """The whole connection is TLS here, but aiosmtpd only counts STARTTLS as TLS when it
    decides whether AUTH may go ahead (and warns on every connection when told not to
    insist), so each session is told after it is made."""

    def factory(self) -> SMTP:
        smtp = super().factory()
        smtp._auth_require_tls = False
        return smtp


class SmtpServer:
    def __init__(self, cert: str, key: str, *, implicit_tls: bool = False,
                 exclude: tuple[str, ...] = ()) -> None:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)
        self.recorder = Recorder()
        self.port = free_port()  # aiosmtpd's Controller cannot use port 0
        if implicit_tls:
            self.controller = _ImplicitTlsController(self.recorder, hostname="127.0.0.1",
                                                     port=self.port, ssl_context=ctx,
                                                     authenticator=_auth, auth_required=True)
        else:
            self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port,
                                         tls_context=ctx, require_starttls=True,
                                         authenticator=_auth, auth_required=True,
                                         auth_exclude_mechanism=list(exclude))

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Received]:
        return self.recorder.messages


class DroppingServer:
    """Speaks just enough SMTP to take a message, then closes the connection instead of
    answering the final dot: the one moment where nobody can know whether it was delivered."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.received = 0
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rb") as f:  # both, or the line stays open
                conn.sendall(b"220 dropper ESMTP\r\n")
                in_data = False
                for line in f:
                    if in_data:
                        if line == b".\r\n":
                            self.received += 1
                            break  # close without a reply
                        continue
                    cmd = line[:4].upper()
                    if cmd in (b"EHLO", b"HELO"):
                        conn.sendall(b"250 dropper\r\n")
                    elif cmd == b"DATA":
                        conn.sendall(b"354 go ahead\r\n")
                        in_data = True
                    elif cmd == b"QUIT":
                        conn.sendall(b"221 bye\r\n")
                        break
                    else:
                        conn.sendall(b"250 OK\r\n")

    def stop(self) -> None:
        self._stop = True
        self.sock.close()
