"""Building the email itself: headers, text and HTML parts, attachments. Pure.

Header injection is impossible by construction: display names lose every control
character, addresses must match a strict addr-spec shape, and the subject arrives as one
line. Python's ``email`` package then encodes non-ASCII names (RFC 2047) itself.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

# A deliberately strict addr-spec (RFC 5322 dot-atom local part, a dotted domain): anything
# that needs quoting is refused rather than escaped.
_ADDR = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                   r"@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]+")
_MSGID = re.compile(r"^<[^<>\s@]+@[^<>\s@]+>$")


class AddressError(ValueError):
    pass


def check_address(addr: str) -> str:
    addr = addr.strip()
    if not _ADDR.match(addr) or len(addr) > 254:
        raise AddressError(f"not a usable email address: {addr!r}")
    return addr


def safe_name(name: str) -> str:
    """A display name with control characters (CR, LF, ...) replaced by spaces."""
    return " ".join(_CONTROL.sub(" ", name).split())[:200]


def make_message_id(domain: str, hint: str = "") -> str:
    """A Message-ID of the company's own domain (RFC 5322 section 3.6.4)."""
    hint = re.sub(r"[^A-Za-z0-9.-]", "", hint)[:40]
    return f"<arbot.{hint + '.' if hint else ''}{secrets.token_hex(10)}@{domain}>"


def check_message_id(value: str) -> str | None:
    value = value.strip()
    return value if _MSGID.match(value) else None


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    data: bytes
    mime: str = "application/pdf"


@dataclass(frozen=True, slots=True)
class Envelope:
    sender: str
    recipients: tuple[str, ...]  # To + Cc + Bcc, what SMTP's RCPT TO gets


def safe_filename(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return cleaned[:100] or "invoice.pdf"


def build_message(*, from_address: str, from_name: str, to: Sequence[tuple[str, str]],
                  cc: Sequence[str] = (), bcc: Sequence[str] = (), reply_to: str = "",
                  subject: str, text: str, html: str, message_id: str, date: datetime,
                  thread: Sequence[str] = (), attachments: Sequence[Attachment] = (),
                  extra_headers: Sequence[tuple[str, str]] = ()) -> tuple[EmailMessage, Envelope]:
    """``to`` is (display name, address) pairs; ``thread`` the Message-IDs this continues,
    oldest first (the original invoice email). Returns the message and its SMTP envelope."""
    msg = EmailMessage(policy=SMTP)
    sender = check_address(from_address)
    msg["From"] = Address(display_name=safe_name(from_name), addr_spec=sender)
    msg["To"] = [Address(display_name=safe_name(n), addr_spec=check_address(a)) for n, a in to]
    cc_list = [check_address(a) for a in cc]
    if cc_list:
        msg["Cc"] = ", ".join(cc_list)
    if reply_to:
        msg["Reply-To"] = check_address(reply_to)
    msg["Subject"] = safe_name(subject)
    msg["Date"] = format_datetime(date)
    if not check_message_id(message_id):
        raise ValueError(f"not a Message-ID: {message_id!r}")
    msg["Message-ID"] = message_id
    ids = [i for i in (check_message_id(t) for t in thread) if i]
    if ids:
        # RFC 5322 section 3.6.4: In-Reply-To names the parent, References the whole chain.
        msg["In-Reply-To"] = ids[-1]
        msg["References"] = " ".join(ids)
    for name, value in extra_headers:
        msg[name] = safe_name(value)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    if attachments:
        # text+HTML stay together as multipart/alternative inside multipart/mixed
        msg.make_mixed()
        for a in attachments:
            main, _, sub = a.mime.partition("/")
            msg.add_attachment(a.data, maintype=main, subtype=sub,
                               filename=safe_filename(a.filename))
    rcpts = tuple(dict.fromkeys([check_address(a) for _, a in to] + cc_list +
                                [check_address(a) for a in bcc]))
    return msg, Envelope(sender, rcpts)


def mask(address: str) -> str:
    """jane.doe@client.test -> j***@client.test, for logs (STYLE: addresses masked)."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"
