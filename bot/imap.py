"""The company mailbox over IMAP (imapclient): find the Sent folder and the inbox, read what
is new since a UID, wait for new mail with IDLE, append copies, look a Message-ID up.

Library and socket errors become ``ImapError`` here, marked transient (the connection broke,
the server is busy: reconnect and try again, with tenacity) or permanent (wrong password, no
such folder: a person must change something). Every read is idempotent, so a retry after a
connection killed mid-fetch simply fetches the same batch again.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import imapclient
from imapclient.exceptions import LoginError
from imapclient.imapclient import SENT
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from bot.config import Imap
from bot.core.compose import mask
from bot.oauth import OAuthError, Tokens

log = logging.getLogger(__name__)

T = TypeVar("T")


class ImapError(Exception):
    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


#: What a connection that broke raises: its IDLE cannot be ended politely.
_BROKEN = (imaplib.IMAP4.abort, imaplib.IMAP4.error, OSError, EOFError)


@dataclass(frozen=True, slots=True)
class Fetched:
    uid: int
    raw: bytes
    internaldate: datetime | None


@dataclass(frozen=True, slots=True)
class Batch:
    """One read of a folder: its UIDVALIDITY now, and the messages after the given UID."""

    uidvalidity: int
    messages: tuple[Fetched, ...]
    more: bool  # further messages wait beyond this batch


def _translate(e: BaseException, what: str) -> ImapError:
    if isinstance(e, ImapError):
        return e
    if isinstance(e, LoginError):
        return ImapError(f"login refused: {e}", transient=False)
    if isinstance(e, ssl.SSLCertVerificationError):
        return ImapError(f"TLS certificate not trusted: {e.verify_message}", transient=False)
    if isinstance(e, (imaplib.IMAP4.abort, OSError, EOFError)):
        # the connection broke (or timed out): a fresh one may well succeed
        return ImapError(f"{what}: connection lost ({type(e).__name__}: {e})", transient=True)
    if isinstance(e, imaplib.IMAP4.error):
        text = str(e)
        # RFC 5530 response codes that mean "try later"
        busy = any(code in text for code in ("[UNAVAILABLE]", "[INUSE]", "[SERVERBUG]", "[LIMIT]"))
        return ImapError(f"{what}: {text}", transient=busy)
    raise e


class Mailbox:
    """One IMAP session, opened on first use and reopened when it breaks."""

    def __init__(self, settings: Imap, *, ssl_context: ssl.SSLContext | None = None,
                 sleep: Callable[[float], None] = time.sleep, attempts: int = 5,
                 max_wait: float = 60.0, tokens: Tokens | None = None) -> None:
        self.settings = settings
        self.tokens = tokens
        self.context = ssl_context or ssl.create_default_context()
        self.sleep = sleep
        self.attempts = attempts
        self.max_wait = max_wait
        self._client: imapclient.IMAPClient | None = None
        self._selected: str | None = None
        self._folders: dict[str, str] = {}

    # -- connection

    def _login(self, client: imapclient.IMAPClient) -> None:
        """The one place where the login mechanism is chosen (``[imap] auth``)."""
        if self.settings.auth == "password":
            client.login(self.settings.username, self.settings.password)
        elif self.settings.auth == "oauth2":
            if self.tokens is None:
                raise ImapError("imap.auth is \"oauth2\" but no [oauth] token source was set up",
                                transient=False)
            try:
                token = self.tokens.token()
            except OAuthError as e:
                raise ImapError(f"no token for IMAP: {e}", transient=False) from None
            # a fresh token at every login: a session that outlived its token reconnects with a
            # new one (msal hands out the cached token until shortly before it expires)
            caps = client.capabilities()
            if b"AUTH=OAUTHBEARER" in caps and b"AUTH=XOAUTH2" not in caps:
                client.oauthbearer_login(self.settings.username, token)
            else:
                client.oauth2_login(self.settings.username, token)
        else:  # pragma: no cover - config refuses other values
            raise ImapError(f"imap.auth = {self.settings.auth!r} is not supported", transient=False)

    def _connect(self) -> imapclient.IMAPClient:
        s = self.settings
        client = imapclient.IMAPClient(s.host, port=s.port, ssl=s.security == "tls",
                                       ssl_context=self.context, timeout=s.timeout_seconds)
        try:
            if s.security == "starttls":
                # RFC 3501 6.2.1 / RFC 2595: no credentials before the session is encrypted
                client.starttls(self.context)
            self._login(client)
        except BaseException:
            with suppress(OSError):
                client.shutdown()
            raise
        log.info("imap: logged in to %s:%d as %s", s.host, s.port, mask(s.username))
        return client

    def _session(self) -> imapclient.IMAPClient:
        if self._client is None:
            self._client = self._connect()
            self._selected = None
        return self._client

    def _drop(self) -> None:
        client, self._client, self._selected = self._client, None, None
        if client is not None:
            with suppress(OSError):
                client.shutdown()

    def close(self) -> None:
        if self._client is not None:
            with suppress(Exception):  # closing a broken session must not fail
                self._client.logout()
        self._drop()

    def _call(self, what: str, fn: Callable[[imapclient.IMAPClient], T]) -> T:
        """Run ``fn`` on a live session; on a transient failure reconnect and run it again."""
        def attempt() -> T:
            try:
                return fn(self._session())
            except BaseException as e:
                err = _translate(e, what)
                if err.transient:
                    log.warning("imap: %s; reconnecting", err)
                    self._drop()
                raise err from e

        retrying = Retrying(
            retry=retry_if_exception(lambda e: isinstance(e, ImapError) and e.transient),
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=0.5, max=self.max_wait),
            sleep=self.sleep, reraise=True)
        return retrying(attempt)

    def _select(self, client: imapclient.IMAPClient, folder: str) -> dict[bytes, Any]:
        info: dict[bytes, Any] = client.select_folder(folder, readonly=True)
        self._selected = folder
        return info

    # -- folders

    def folder(self, role: str) -> str:
        """The folder for ``role`` ("inbox" or "sent"): the configured name, else for Sent the
        folder the server flags \\Sent (RFC 6154 SPECIAL-USE)."""
        if role in self._folders:
            return self._folders[role]
        s = self.settings
        if role == "inbox":
            name = s.inbox_folder
        elif s.sent_folder:
            name = s.sent_folder
        else:
            found = self._call("finding the Sent folder",
                               lambda c: c.find_special_folder(SENT))
            if not found:
                raise ImapError("no folder is flagged \\Sent; set [imap] sent_folder",
                                transient=False)
            name = str(found)
        self._folders[role] = name
        return name

    # -- reading

    def read_after(self, folder: str, after_uid: int, *, batch: int = 200) -> Batch:
        """Messages of ``folder`` with a UID above ``after_uid``, oldest first, at most
        ``batch`` of them. BODY.PEEK leaves the \\Seen flag as it was (RFC 3501 6.4.5)."""
        def read(c: imapclient.IMAPClient) -> Batch:
            info = self._select(c, folder)
            validity = int(info[b"UIDVALIDITY"])
            uidnext = int(info.get(b"UIDNEXT", 0))
            if uidnext and after_uid + 1 >= uidnext:
                # nothing new (UIDNEXT, RFC 3501 2.3.1.1): no SEARCH needed
                return Batch(validity, (), more=False)
            # "n:*" always matches the highest UID, even below n (RFC 3501 6.4.8): filter
            uids = sorted(u for u in c.search(["UID", f"{after_uid + 1}:*"]) if u > after_uid)
            chosen = uids[:batch]
            got: list[Fetched] = []
            if chosen:
                data = c.fetch(chosen, ["BODY.PEEK[]", "INTERNALDATE"])
                for uid in chosen:
                    item = data.get(uid)
                    if item is None or b"BODY[]" not in item:
                        continue  # expunged between SEARCH and FETCH
                    got.append(Fetched(uid, bytes(item[b"BODY[]"]), item.get(b"INTERNALDATE")))
            return Batch(validity, tuple(got), more=len(uids) > len(chosen))
        return self._call(f"reading {folder}", read)

    def has_message_id(self, folder: str, message_id: str) -> bool:
        """Whether a message with this Message-ID header is in ``folder``."""
        def search(c: imapclient.IMAPClient) -> bool:
            self._select(c, folder)
            return bool(c.search(["HEADER", "Message-ID", message_id]))
        return self._call(f"searching {folder}", search)

    # -- writing

    def append(self, folder: str, raw: bytes, *, flags: Sequence[bytes] = (b"\\Seen",),
               when: datetime | None = None) -> None:
        self._call(f"appending to {folder}",
                   lambda c: c.append(folder, raw, flags=tuple(flags), msg_time=when))

    # -- waiting

    def wait(self, folder: str, seconds: float, stop: threading.Event | None = None, *,
             after_uid: int | None = None) -> bool:
        """Wait up to ``seconds`` for new mail in ``folder``: IMAP IDLE (RFC 2177) when the
        server offers it, else a plain wait. True when there is mail to read.

        ``after_uid``: the last UID already read. Mail that arrived between that read and the
        start of IDLE is not announced again, so it is looked for first (UIDNEXT)."""
        stop = stop or threading.Event()
        try:
            client = self._session()
            if not self.settings.idle or not client.has_capability("IDLE"):
                stop.wait(seconds)
                return False
            info = self._select(client, folder)
            if after_uid is not None and int(info.get(b"UIDNEXT", 0)) > after_uid + 1:
                return True
            client.idle()
            try:
                deadline = time.monotonic() + seconds
                silent_wakeups = 0
                while not stop.is_set():
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    # short slices, so a stop request is seen within a second
                    slice_ = min(1.0, left)
                    began = time.monotonic()
                    responses = client.idle_check(timeout=slice_)
                    for response in responses:
                        if len(response) >= 2 and response[1] in (b"EXISTS", b"RECENT"):
                            return True
                    # imapclient answers a closed connection with "nothing new" at once: a
                    # socket that keeps waking with nothing to say is one the server closed
                    # (Exchange does so when the session's token expires)
                    quick = not responses and time.monotonic() - began < slice_ / 2
                    silent_wakeups = silent_wakeups + 1 if quick else 0
                    if silent_wakeups >= 3:
                        raise imaplib.IMAP4.abort("the server closed the connection during IDLE")
                return False
            finally:
                with suppress(*_BROKEN):
                    client.idle_done()
        except BaseException as e:
            err = _translate(e, f"waiting on {folder}")
            log.warning("imap: %s", err)
            self._drop()
            if err.transient:
                stop.wait(min(seconds, 5.0))  # then the next pass reconnects
                return False
            raise err from e


@contextmanager
def opened(settings: Imap, **kwargs: Any) -> Iterator[Mailbox]:
    box = Mailbox(settings, **kwargs)
    try:
        yield box
    finally:
        box.close()


def probe(settings: Imap, *, ssl_context: ssl.SSLContext | None = None,
          tokens: Tokens | None = None) -> str:
    """Log in and find the folders: what ``arbot check-config --connect`` reports."""
    with opened(settings, ssl_context=ssl_context, attempts=1, tokens=tokens) as box:
        inbox, sent = box.folder("inbox"), box.folder("sent")
        return f"IMAP {settings.host}:{settings.port}: logged in; inbox {inbox!r}, sent {sent!r}"

