"""Is this message from a person, or from a machine? Auto-replies, delivery reports and
other automatic mail are recognised before anything tries to understand a reply.

Headers and MIME structure decide first; words in a subject only count together with a
machine's signature (a null or daemon sender, an automatic header), because a person who
writes "I was out of office last week" is still a person and must be heard.
"""

from __future__ import annotations

import contextlib
import enum
import re
from dataclasses import dataclass
from datetime import date
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr


class Kind(enum.StrEnum):
    PERSON = "person"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    DELAY = "delay"
    AUTOMATED = "automated"


@dataclass(frozen=True, slots=True)
class Recipient:
    address: str
    action: str
    status: str
    diagnostic: str
    permanent: bool


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: Kind
    reason: str
    recipients: tuple[Recipient, ...] = ()
    original_message_id: str | None = None
    return_date: date | None = None


_DAEMON = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|bounces?|"
                     r"double-bounce|mdaemon|microsoftexchange[0-9a-f]*)(\+|@|$)", re.I)
_AUTO_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto[- ]?reply|autoreply|out of (the )?office|abwesenheit|"
    r"automatische antwort|r[ée]ponse automatique|absence|respuesta autom[áa]tica|"
    r"fuera de la oficina|automatisch antwoord|afwezig|vacation)\b", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"(undeliver|undelivered mail|delivery status notification \(failure\)|"
    r"delivery (has )?failed|mail delivery failed|returned mail|failure notice|"
    r"non[- ]?delivery|unzustellbar|nicht zustellbar|non remis|no se puede entregar)", re.I)
_DELAY_SUBJECT = re.compile(r"(delayed mail|delivery (status notification \()?delay|"
                            r"still trying|warning: message .* delayed)", re.I)
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_SMTP_CODE = re.compile(r"\b([45]\d\d)[ -]")
_ADDRESS = re.compile(r"<?([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)>?")


class _Headers:
    """A message's headers by lower-case name, read once: the raw values, RFC 2047 encoded
    words decoded on use, whitespace collapsed. Works the same whatever policy parsed the
    message, and asking for a dozen headers costs one pass over them."""

    def __init__(self, msg: Message) -> None:
        self._raw: dict[str, str] = {}
        for name, value in msg.raw_items():
            self._raw.setdefault(name.lower(), str(value))

    def __call__(self, name: str) -> str:
        text = self._raw.get(name.lower())
        if text is None:
            return ""
        if any("\udc80" <= c <= "\udcff" for c in text):
            # raw 8-bit header bytes, kept by the parser as surrogates: most mail is UTF-8
            text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        if "=?" in text:
            with contextlib.suppress(ValueError, LookupError, UnicodeError):
                text = str(make_header(decode_header(text)))
        return " ".join(text.split())


def _fields(block: str) -> dict[str, str]:
    """A header-like block of a delivery-status part (RFC 3464 2.1), folded lines joined."""
    out: dict[str, str] = {}
    key = ""
    for line in block.splitlines():
        if line[:1] in (" ", "\t") and key:
            out[key] += " " + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip().lower()
            out[key] = value.strip()
    return out


def _address(field: str) -> str:
    # "rfc822; jane@client.test" (RFC 3464 2.3.2)
    value = field.split(";", 1)[-1].strip()
    m = _ADDRESS.search(value)
    return m.group(1).lower() if m else value.lower()


def _status_of(text: str) -> str:
    m = _STATUS.search(text)
    return m.group(0) if m else ""


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode(part.get_content_charset() or "utf-8", "replace")
    inner = part.get_payload()
    if isinstance(inner, list):  # the email package parses delivery-status into messages
        return "\n\n".join("\n".join(f"{k}: {v}" for k, v in m.items())
                           for m in inner if isinstance(m, Message))
    return str(inner or "")


def _original_id(msg: Message) -> str | None:
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "text/rfc822-headers":
            text = _part_text(part)
            m = re.search(r"^message-id:\s*(<[^>]+>)", text, re.I | re.M)
            if m:
                return m.group(1)
        elif ctype in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            first = inner[0] if isinstance(inner, list) and inner else None
            if isinstance(first, Message) and first.get("Message-ID"):
                return str(first.get("Message-ID")).strip()
    return None


def _report(msg: Message) -> tuple[Recipient, ...] | None:
    """The recipients of an RFC 3464 delivery-status (or RFC 6533 global) part, if any."""
    for part in msg.walk():
        if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status"):
            blocks = re.split(r"\r?\n\s*\r?\n", _part_text(part).strip())
            found = []
            for block in blocks[1:] or blocks:  # the first block is about the message
                f = _fields(block)
                who = f.get("final-recipient") or f.get("original-recipient")
                if not who:
                    continue
                status = _status_of(f.get("status", "")) or "5.0.0"
                found.append(Recipient(_address(who), f.get("action", "").lower() or "failed",
                                       status, " ".join(f.get("diagnostic-code", "").split()),
                                       status.startswith("5")))
            return tuple(found)
    return None


def _plain_bounce(msg: Message, h: _Headers) -> tuple[Recipient, ...]:
    """A bounce without RFC 3464 structure (qmail, older Exchange, scripts): the failed
    address from X-Failed-Recipients (Exim) or the text, the status from an SMTP reply."""
    text = ""
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            text = _part_text(part)
            break
    failed = [a.lower() for _, a in getaddresses([h("X-Failed-Recipients")]) if "@" in a]
    if not failed:
        m = re.search(r"<([^<>\s]+@[^<>\s]+)>:", text) or _ADDRESS.search(
            text.split("---", 1)[0] if "---" in text else text)
        if m:
            failed = [m.group(1).lower()]
    status = _status_of(text)
    if not status:
        code = _SMTP_CODE.search(text)
        status = f"{code.group(1)[0]}.0.0" if code else "5.0.0"
    line = next((ln.strip() for ln in text.splitlines() if _SMTP_CODE.search(ln)), "")
    return tuple(Recipient(a, "failed", status, line[:300], status.startswith("5"))
                 for a in failed[:5])


def recognise(msg: EmailMessage | Message) -> Verdict:
    """What kind of sender wrote ``msg``."""
    try:
        return _recognise(msg)
    except Exception as e:  # noqa: BLE001 - malformed mail must still get a verdict
        return Verdict(Kind.PERSON, f"headers could not be read ({type(e).__name__})")


def _recognise(msg: Message) -> Verdict:
    h = _Headers(msg)
    sender = parseaddr(h("From"))[1].lower()
    local = sender.partition("@")[0]
    return_path = h("Return-Path")
    null_sender = return_path.replace(" ", "") == "<>"
    daemon = bool(_DAEMON.match(local)) or null_sender
    subject = h("Subject")
    auto_submitted = h("Auto-Submitted").lower()
    ctype = msg.get_content_type()

    # RFC 3464 / RFC 6522: a delivery report says itself what it is
    if ctype == "multipart/report" or (msg.is_multipart() and _report(msg) is not None):
        recipients = _report(msg) or ()
        actions = {r.action for r in recipients}
        original = _original_id(msg)
        if recipients and actions <= {"delayed"}:
            return Verdict(Kind.DELAY, "delivery report: delayed, still trying", recipients,
                           original)
        if recipients and "failed" not in actions:
            return Verdict(Kind.AUTOMATED, f"delivery report: {', '.join(sorted(actions))}",
                           recipients, original)
        report_type = str(msg.get_param("report-type") or "").lower()
        if report_type and report_type not in ("delivery-status", "global-delivery-status"):
            return Verdict(Kind.AUTOMATED, f"report of type {report_type}")
        return Verdict(Kind.BOUNCE, "delivery report (RFC 3464)",
                       tuple(r for r in recipients if r.action == "failed") or
                       _plain_bounce(msg, h), original)

    if h("X-Failed-Recipients") or (daemon and _BOUNCE_SUBJECT.search(subject)):
        why = "X-Failed-Recipients" if h("X-Failed-Recipients") else \
            f"a bounce from {sender or 'the null sender'}"
        if _DELAY_SUBJECT.search(subject):
            return Verdict(Kind.DELAY, why, _plain_bounce(msg, h), _original_id(msg))
        return Verdict(Kind.BOUNCE, why, _plain_bounce(msg, h), _original_id(msg))

    # RFC 3834 5.1: "auto-replied" is an answer by a program; "auto-generated" is other
    # machine mail, unless it is plainly an out-of-office notice
    if auto_submitted and auto_submitted != "no":
        if auto_submitted.startswith("auto-replied") or _AUTO_SUBJECT.search(subject):
            return Verdict(Kind.AUTO_REPLY, f"Auto-Submitted: {auto_submitted}")
        return Verdict(Kind.AUTOMATED, f"Auto-Submitted: {auto_submitted}")
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponse"):
        if h(name):
            return Verdict(Kind.AUTO_REPLY, f"{name} header")
    precedence = h("Precedence").lower()
    if precedence == "auto_reply":
        return Verdict(Kind.AUTO_REPLY, "Precedence: auto_reply")
    # Exchange marks its own automatic replies with X-Auto-Response-Suppress, but Outlook puts
    # it on some ordinary mail too: only together with an automatic-reply subject
    if h("X-Auto-Response-Suppress") and _AUTO_SUBJECT.search(subject):
        return Verdict(Kind.AUTO_REPLY, "X-Auto-Response-Suppress with an automatic-reply subject")
    if (daemon or null_sender) and _AUTO_SUBJECT.search(subject):
        return Verdict(Kind.AUTO_REPLY, "automatic-reply subject from a null or daemon sender")
    if precedence in ("bulk", "junk", "list"):
        if _AUTO_SUBJECT.search(subject):
            return Verdict(Kind.AUTO_REPLY, f"Precedence: {precedence} with an automatic-reply subject")
        return Verdict(Kind.AUTOMATED, f"Precedence: {precedence}")
    if h("List-Id") or h("List-Unsubscribe"):
        return Verdict(Kind.AUTOMATED, "mailing-list headers")
    if daemon:
        return Verdict(Kind.AUTOMATED, f"sent by {sender or 'the null sender'}")
    if re.match(r"^(no-?reply|do-?not-?reply|notifications?)(\+|@|$)", local):
        return Verdict(Kind.AUTOMATED, f"sent from a no-reply address ({sender})")
    return Verdict(Kind.PERSON, "no sign of automatic mail")
