"""Is this message from a person or from a machine? Auto-replies, delivery reports and other
automatic mail are recognised before anything tries to understand a reply. Pure.

Headers and MIME structure decide first. Words in a subject count only together with a
machine's signature (a null or daemon sender, an automatic header), and words in a body only
from a mail daemon: a client who writes "I was out of office last week" is a person, and
taking a person for a machine would make arbot ignore what a client said. When in doubt the
answer is PERSON, which sends the message on to be read.

The decisions, in order (the first that applies wins):

1. a delivery report by its structure (RFC 3464, RFC 6522, RFC 6533);
2. a bounce without that structure, from a daemon (qmail, Exim, older Exchange, scripts);
3. ``Auto-Submitted`` (RFC 3834 section 5);
4. vendor auto-reply headers and ``Precedence: auto_reply``;
5. an automatic-reply subject together with an automatic header (Exchange and others);
6. bulk and mailing-list mail (RFC 2369, RFC 2919);
7. the sender: the null reverse-path (RFC 5321 section 4.5.5), daemons, no-reply addresses.

Everything works the same whichever ``email`` policy parsed the message: the inbox parses
with ``compat32`` for speed, so headers are read from their raw text here.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import enum
import functools
import html
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from email.errors import MessageError
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import HeaderParser
from email.policy import compat32
from email.utils import getaddresses, parseaddr


class Kind(enum.StrEnum):
    PERSON = "person"            # written by a person: understand it (a later step classifies)
    AUTO_REPLY = "auto_reply"    # out of office / vacation / autoresponder (RFC 3834)
    BOUNCE = "bounce"            # delivery failure (RFC 3464 DSN or a recognisable non-standard bounce)
    DELAY = "delay"              # a DSN saying delivery is delayed, still trying: not a failure
    AUTOMATED = "automated"      # other machine mail (bulk, list, ticket acknowledgement, no-reply)


@dataclass(frozen=True, slots=True)
class Recipient:
    """One recipient a delivery report is about."""
    address: str                 # the Final-Recipient (or Original-Recipient) addr-spec, lower-case
    action: str                  # failed | delayed | delivered | relayed | expanded (RFC 3464 2.3.3)
    status: str                  # e.g. "5.1.1" (RFC 3463)
    diagnostic: str              # the Diagnostic-Code text, whitespace collapsed; may be ""
    permanent: bool              # status class 5


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: Kind
    reason: str                  # why, for the operator
    recipients: tuple[Recipient, ...] = ()   # for BOUNCE (the failed ones) and DELAY (the delayed)
    original_message_id: str | None = None   # of the message that bounced, with <>
    return_date: date | None = None          # filled by a later classifier, never here


def recognise(msg: EmailMessage | Message) -> Verdict:
    """What kind of sender wrote ``msg``. Never raises: the inbox must go on whatever arrives."""
    try:
        mail = _Mail(msg)
        for step in (_delivery_report, _plain_bounce, _auto_submitted, _auto_reply_headers,
                     _auto_reply_subject, _list_or_bulk, _machine_sender):
            verdict = step(mail)
            if verdict is not None:
                return verdict
        return Verdict(Kind.PERSON, "no sign of automatic mail")
    except Exception as e:  # a last resort: a person reads what the rules above could not
        return Verdict(Kind.PERSON, f"could not be read as automatic mail ({type(e).__name__})")


# Reading headers -------------------------------------------------------------------------

class _Headers:
    """A message's headers by lower-case name, read once from their raw text: RFC 2047 encoded
    words decoded on use, whitespace collapsed. The first of repeated headers wins, which for
    Return-Path is the one the final delivery added."""

    def __init__(self, msg: Message) -> None:
        self._raw: dict[str, str] = {}
        self._names: list[str] = []
        for name, value in msg.raw_items():
            if name.lower() not in self._raw:
                self._raw[name.lower()] = str(value)
                self._names.append(name)

    def __call__(self, name: str) -> str:
        text = self._raw.get(name.lower())
        return "" if text is None else header_text(text)

    def has(self, name: str) -> bool:
        return name.lower() in self._raw

    def names(self) -> Iterator[str]:
        """The header names as the message spells them."""
        return iter(self._names)


def header_text(raw: str) -> str:
    """A raw header value as text: 8-bit bytes read as UTF-8, RFC 2047 encoded words
    decoded, whitespace collapsed."""
    text = _undo_surrogates(raw)
    if "=?" in text:
        # MessageError: a garbled encoded word or an unknown charset in one
        with contextlib.suppress(ValueError, LookupError, UnicodeError, MessageError):
            text = str(make_header(decode_header(" ".join(text.split()))))
    return " ".join(text.split())


_PLAIN_ADDRESS = re.compile(
    r'\s*(?:([^"<>()\[\],;:\\]*?)\s*<([^<>\s@"()]+@[^<>\s@"()]+)>'    # Name <local@domain>
    r'|<?([^<>\s@"(),;:\\]+@[^<>\s@"(),;:\\]+?)>?)\s*')                  # local@domain


def one_address(value: str) -> tuple[str, str]:
    """(display name, address) of a header naming one mailbox: the common plain forms read
    with one pattern, anything else (quotes, comments, groups) by the RFC 5322 parser."""
    m = _PLAIN_ADDRESS.fullmatch(value)
    if m:
        return (" ".join((m.group(1) or "").split()), m.group(2) or m.group(3))
    return parseaddr(value)


def _undo_surrogates(text: str) -> str:
    # 8-bit bytes in headers and message/* parts are kept by the parser as surrogates;
    # most such mail is UTF-8 (RFC 6532)
    if not text.isascii() and any("\udc80" <= c <= "\udcff" for c in text):
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text


def _token(value: str) -> str:
    """The first word of a structured value, comments and parameters dropped:
    ``auto-replied; owner-email=x (vacation)`` -> ``auto-replied``."""
    m = re.match(r"\s*([\w.-]+)", re.sub(r"\([^()]*\)", " ", value))
    return m.group(1).lower() if m else ""


# What counts as a machine's signature, what as an automatic subject --------------------------

# Where bounces come from: the postmaster (RFC 5321 4.5.1), MAILER-DAEMON by long custom, and
# for Exchange Online a "MicrosoftExchange" mailbox with a 32-digit hex tail
_DAEMON_LOCAL = re.compile(r"^(mailer-daemon|mailerdaemon|mail-daemon|postmaster|double-bounce|"
                           r"microsoftexchange[0-9a-f]{32})$", re.I)
_DAEMON_NAME = re.compile(r"^(mail delivery (system|subsystem)|mailer[- ]daemon|postmaster)$", re.I)
_NO_REPLY_LOCAL = re.compile(r"^(no-?reply|do-?not-?reply|notifications?)([._-].*)?$", re.I)

# anchored at the start, after tags such as "[EXTERNAL]" that gateways put in front
_TAGS = r"^\s*(?:\[[^\]]{0,40}\]\s*)*"
_AUTO_SUBJECT = re.compile(
    _TAGS + r"(automatic reply|auto[- ]?reply|auto[- ]?response|auto:|out of (the )?office|"
    r"abwesenheit|automatische antwort|r[ée]ponse automatique|absence du bureau|"
    r"respuesta autom[áa]tica|fuera de la oficina|automatisch antwoord|risposta automatica|"
    r"fuori (sede|ufficio)|resposta autom[áa]tica|automatiskt svar|automatisk svar|autosvar|"
    r"fr[åa]nvaro|automaattinen vastaus|odpowied[źz] automatyczna|automatick[áa] odpov[ěe][ďd]|"
    # words that could begin a person's subject too count only as the whole subject or
    # before a colon ("Absence: ...", "Vacation")
    r"(absence|absent|abwesend|afwezig|ausente|vacation|on (leave|holiday))\s*(:|$))", re.I)
_FORWARD_SUBJECT = re.compile(_TAGS + r"(fwd?|wg|tr|rv|doorst)\s*:", re.I)
_BOUNCE_SUBJECT = re.compile(
    _TAGS + r"(undelivered mail|undeliverable|undeliverable mail|mail delivery failed|"
    r"delivery status notification \(failure\)|returned mail|failure notice|delivery failure|"
    r"delivery has failed|mail could not be delivered|message not delivered|non[- ]?delivery|"
    r"nondeliverable|mail system error|unzustellbar|nicht zustellbar|non remis|"
    r"no se puede entregar|onbestelbaar|non recapitabile)", re.I)
_DELAY_SUBJECT = re.compile(
    _TAGS + r"(delayed mail|delivery status notification \(delay\)|delivery delayed|"
    r"warning: message \S+ delayed|warning: could not send message|zustellung verz[öo]gert|"
    r"remise diff[ée]r[ée]e)", re.I)
# what daemons write at the top of a plain-text bounce
_BOUNCE_TEXT = re.compile(
    r"(this is the qmail-send program|created automatically by mail delivery software|"
    r"delivery has failed to these recipients|did not reach some or all of the intended recipients|"
    r"following addresses had permanent fatal errors|wasn'?t able to deliver your message|"
    r"could not be delivered to one or more|message could not be delivered|"
    r"konnte nicht zugestellt werden)", re.I)

# Help-desk software marks every message it sends, agents' replies included
_HELPDESK_HEADER = re.compile(r"^(x-zendesk-|x-freshdesk-|x-otrs-|x-zammad-|x-helpscout-|rt-ticket$)")
_HELPDESK_MAILER = re.compile(r"zendesk|freshdesk|zammad|otrs|osticket|help ?scout|kayako|"
                              r"jira service|servicenow", re.I)
_TICKET_SUBJECT = re.compile(r"\[#?\d{3,}\]|\[(ticket|case|request)\s*#?[\w-]+\]|"
                             r"\b(ticket|request|case|incident|anfrage|demande|solicitud)\s*"
                             r"(#|no\.|nr\.|number|id:?)\s*\d{3,}", re.I)
_ACKNOWLEDGEMENT = re.compile(
    r"(your (request|ticket|message|e-?mail|enquiry|inquiry|case)( \(?#?\d+\)?)? has been "
    r"(received|created|logged|opened)|we ('ve|have) received your (request|message|e-?mail|"
    r"enquiry|inquiry)|request received|ticket (has been )?(created|opened|logged)|"
    r"(ist|wurde) (bei uns )?eingegangen|eingangsbest[äa]tigung|nous avons bien re[çc]u|"
    r"hemos recibido su|hebben uw \w+ ontvangen)", re.I)

_AUTOREPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-AutoReply-From",
                      "X-Mail-Autoreply")


class _Mail:
    """What the decisions need from one message, each read at most once."""

    def __init__(self, msg: Message) -> None:
        self.msg = msg
        self.header = _Headers(msg)
        name, self.sender = one_address(self.header("From"))
        self.sender = self.sender.lower()
        return_path = self.header("Return-Path")
        # RFC 5321 4.5.5: DSNs (and, RFC 3834 3.3, auto-replies) use the null reverse-path
        self.null_sender = return_path.replace(" ", "") == "<>"
        envelope = one_address(return_path)[1].lower()
        self.daemon = any(_DAEMON_LOCAL.match(a.partition("@")[0].partition("+")[0])
                          for a in (self.sender, envelope) if a) or bool(_DAEMON_NAME.match(name))
        self.subject = self.header("Subject")
        self.auto_submitted = _token(self.header("Auto-Submitted"))
        self.precedence = _token(self.header("Precedence"))
        self.auto_subject = bool(_AUTO_SUBJECT.match(self.subject))

    @property
    def who(self) -> str:
        """The sender as an operator may read it: daemon addresses are nobody's personal data."""
        if self.daemon and self.sender:
            return self.sender
        return "the null sender" if self.null_sender else "an automatic sender"

    @functools.cached_property
    def text(self) -> str:
        """The first readable text of the message itself (not of an attached one)."""
        html_text = ""
        for part in _parts(self.msg):
            ctype = part.get_content_type()
            if ctype == "text/plain":
                return _body(part)[:100_000]
            if ctype == "text/html" and not html_text:
                html_text = _strip_html(_body(part)[:200_000])
        return html_text[:100_000]

    @functools.cached_property
    def helpdesk(self) -> str:
        """The help-desk software that sent this, by its marks, or ""."""
        for name in self.header.names():
            if _HELPDESK_HEADER.match(name.lower()):
                return name
        mailer = self.header("X-Mailer")
        return "X-Mailer: " + mailer if _HELPDESK_MAILER.search(mailer) else ""

    @functools.cached_property
    def own_addresses(self) -> frozenset[str]:
        """Addresses of this message's own header: a bounce's text mentions them too, but the
        failed recipient is never among them."""
        pairs = getaddresses([self.header(n) for n in ("From", "To", "Cc", "Reply-To", "Sender",
                                                       "Return-Path", "Delivered-To")])
        return frozenset(a.lower() for _, a in pairs if "@" in a)


# Walking MIME parts and reading their text --------------------------------------------------

_REPORT_TYPES = ("delivery-status", "global-delivery-status")
_STATUS_PARTS = ("message/delivery-status", "message/global-delivery-status")
_RETURNED_PARTS = ("text/rfc822-headers", "message/rfc822", "message/global",
                   "message/global-headers")


def _parts(msg: Message, limit: int = 200) -> Iterator[Message]:
    """The message and its MIME parts, depth first, never inside an attached message
    (message/*): a person who forwards a bounce as an attachment is still a person."""
    stack = [msg]
    while stack and limit > 0:
        part = stack.pop()
        limit -= 1
        yield part
        if part.get_content_maintype() == "message" or not part.is_multipart():
            continue
        stack.extend(reversed(_subparts(part)))


def _subparts(part: Message) -> list[Message]:
    payload = part.get_payload() if part.is_multipart() else None
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _decode(data: bytes, charset: str | None) -> str:
    try:
        return data.decode(charset or "utf-8", "replace")
    except (LookupError, ValueError):  # unknown, or not even a name ("utf\x008")
        return data.decode("utf-8", "replace")


def _text_payload(part: Message) -> str:
    """A single part's payload as text, its transfer encoding not undone."""
    try:
        return _undo_surrogates(str(part.get_payload() or ""))
    except (LookupError, ValueError):
        # the email package decodes 8-bit text with the declared charset and fails on a name
        # that no codec lookup accepts ("utf\x008"): the bytes are read as UTF-8 then
        data = part.get_payload(decode=True)
        return data.decode("utf-8", "replace") if isinstance(data, bytes) else ""


def _body(part: Message) -> str:
    """A part's text. The email package parses message/delivery-status into one Message per
    field block and other message/* types into a message; they are put back together here,
    and a transfer encoding the parser ignored for them is undone (RFC 6533 allows one)."""
    if part.is_multipart():
        text = "\n\n".join(_unparse(p) for p in _subparts(part))
        data = text.encode("utf-8", "surrogateescape")
        encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
        if encoding == "base64":
            with contextlib.suppress(binascii.Error, ValueError):
                data = base64.b64decode(re.sub(rb"[^A-Za-z0-9+/=]", b"", data))
        elif encoding == "quoted-printable":
            data = quopri.decodestring(data)
        return _decode(data, part.get_content_charset())
    decoded = part.get_payload(decode=True)
    if isinstance(decoded, bytes):
        return _decode(decoded, part.get_content_charset())
    return _text_payload(part)


def _unparse(block: Message) -> str:
    lines = [f"{name}: {value}" for name, value in block.raw_items()]
    if block.is_multipart():
        rest = "\n\n".join(_unparse(p) for p in _subparts(block))
    else:
        rest = _text_payload(block)
    if lines and rest.strip():
        return "\n".join(lines) + "\n\n" + rest
    return "\n".join(lines) or rest


def _strip_html(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>", " ", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>|</tr\s*>|</li\s*>", "\n", markup)
    return html.unescape(re.sub(r"<[^>]*>", " ", markup))


# Status codes and addresses in text ---------------------------------------------------------

# RFC 3463: class.subject.detail. In a DSN field the grammar allows 1-3 digits each; in free
# text only the defined subjects (0-7) are accepted, so that "Exim 4.97.1" is no status.
_FIELD_STATUS = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?!\.?\d)")
_TEXT_STATUS = re.compile(r"(?<![\d.])([45]\.\d\.\d{1,3})(?!\.?\d)")
# a basic SMTP reply code (RFC 5321 4.2): "550 ", "550-", at a word's start
_REPLY_CODE = re.compile(r"(?:^|(?<=[\s'\"(:]))([45])\d\d(?=[ -]|$)", re.M)
_ADDRESS = re.compile(r"(?<![\w.!#$%&'*+/=?^`{|}~-])([\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+)")
_HEADER_LINE = re.compile(r"^\s*(message-id|in-reply-to|references|received|dkim-signature|"
                          r"arc-[\w-]+|x-[\w-]+|return-path|from|sender|reply-to)\s*:", re.I)
# where a bounce's own words end and the copy of the returned message begins
_COPY_MARKER = re.compile(
    r"^[ \t]*-*[ \t]*(below this line is a copy of the message|this is a copy of the (message|"
    r"body)|original message (headers|follows)|-* ?original message ?-*$|undelivered message|"
    r"returned message|message headers? follows?)", re.I | re.M)


def _status_in(text: str) -> str:
    """The status an SMTP reply in ``text`` gives: its enhanced code (RFC 3463), else the
    class of its basic code (RFC 5321 4.2.1), else ""."""
    m = _TEXT_STATUS.search(text)
    if m:
        return m.group(1)
    code = _REPLY_CODE.search(text)
    return f"{code.group(1)}.0.0" if code else ""


def _diagnostic_in(text: str) -> str:
    """The SMTP reply in ``text``, from its code to the end of the reply: the lines after it
    that are indented deeper belong to it (Postfix folds long replies so). Without a reply,
    the first paragraph ("Unrouteable address"). Whitespace collapsed."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        code = _REPLY_CODE.search(line)
        if code is None and not _TEXT_STATUS.search(line):
            continue
        indent = len(line) - len(line.lstrip())
        reply = [line[code.start():] if code else line]
        for more in lines[i + 1:]:
            if not more.strip() or len(more) - len(more.lstrip()) <= indent:
                break
            reply.append(more)
        return " ".join(" ".join(reply).split())[:500]
    return " ".join(re.split(r"\n[ \t]*\n", text.strip(), maxsplit=1)[0].split())[:500]


def _split_copy(text: str) -> tuple[str, str]:
    m = _COPY_MARKER.search(text)
    return (text[:m.start()], text[m.start():]) if m else (text, "")


def _recipients_in_text(mail: _Mail, action: str) -> tuple[Recipient, ...]:
    """The recipients of a bounce without RFC 3464 structure: X-Failed-Recipients (Exim) if
    present, else the addresses its own words name; each with the status of the SMTP reply
    written after its mention."""
    words, _ = _split_copy(mail.text)
    listed = [a.lower() for _, a in getaddresses([mail.header("X-Failed-Recipients")]) if "@" in a]
    mentions: list[tuple[int, str]] = []
    offset = 0
    for line in words.splitlines(keepends=True):
        if not _HEADER_LINE.match(line):
            for m in _ADDRESS.finditer(line):
                # atext allows a quote, but at the start it is Exchange's 'quoting'
                address = m.group(1).lstrip("'`").rstrip(".").lower()
                if address not in mail.own_addresses and \
                        not _DAEMON_LOCAL.match(address.partition("@")[0]):
                    mentions.append((offset + m.start(), address))
        offset += len(line)
        if len(mentions) > 200:  # a bounce names a handful; more is a list, not a report
            break
    addresses = listed or list(dict.fromkeys(a for _, a in mentions))[:20]
    # the status of the whole text is this recipient's only when there is no other
    fallback = _status_in(words) if len(addresses) == 1 else ""
    found = []
    for address in addresses:
        status = diagnostic = ""
        for start, end in _windows(mentions, address, len(words)):
            window = words[start:end]
            status = _status_in(window)
            if status:
                diagnostic = _diagnostic_in(window)
                break
            # no reply code: what the daemon wrote after the address ("Unrouteable address")
            diagnostic = diagnostic or _diagnostic_in(re.sub(r"^\S*", "", window).lstrip(" \t>:'"))
        if not status and fallback:
            status, diagnostic = fallback, _diagnostic_in(words)
        if action == "delayed" and not status.startswith("4"):
            status = "4.0.0"
        status = status or "5.0.0"
        found.append(Recipient(address, action, status, diagnostic, status.startswith("5")))
    return tuple(found)


def _windows(mentions: list[tuple[int, str]], address: str, end: int) -> Iterator[tuple[int, int]]:
    """Each stretch of text from a mention of ``address`` to the next mention of another."""
    for i, (start, who) in enumerate(mentions):
        if who == address and (i == 0 or mentions[i - 1][1] != address):
            stop = next((s for s, w in mentions[i + 1:] if w != address), end)
            yield start, stop


# 1. Delivery reports by their structure ------------------------------------------------------

def _fields(block: str) -> dict[str, str]:
    """One header-like block of a delivery-status body (RFC 3464 2.1), folded lines joined;
    lines that are no field are skipped, the first of a repeated field wins."""
    out: dict[str, str] = {}
    key = ""
    for line in block.splitlines():
        if line[:1] in (" ", "\t"):
            if key:
                out[key] += " " + line.strip()
        elif ":" in line:
            name, _, value = line.partition(":")
            key = name.strip().lower()
            if key in out or not re.fullmatch(r"[\w-]+", key):
                key = ""
                continue
            out[key] = value.strip()
        else:
            key = ""
    return out


def _address_field(value: str) -> str:
    """``rfc822; Anna.Weber@client.example`` -> ``anna.weber@client.example`` (RFC 3464 2.3.2);
    the RFC 6533 ``utf-8`` type may write characters as \\x{HHHH}."""
    address = value.split(";", 1)[-1].strip()
    with contextlib.suppress(ValueError, OverflowError):
        address = re.sub(r"\\x\{([0-9A-Fa-f]{1,6})\}", lambda m: chr(int(m.group(1), 16)), address)
    m = _ADDRESS.search(address)
    return (m.group(1) if m else address).lower()


def _recipient(fields: dict[str, str]) -> Recipient | None:
    values = [fields.get("final-recipient", ""), fields.get("original-recipient", "")]
    addresses = [_address_field(v) for v in values if v.split(";", 1)[-1].strip()]
    address = next((a for a in addresses if "@" in a), addresses[0] if addresses else "")
    if not address:
        return None
    diagnostic = " ".join(fields.get("diagnostic-code", "").split())
    # RFC 3464 2.3.6: diagnostic-type ";" text; the type ("smtp") tells the operator nothing
    kind, semicolon, rest = diagnostic.partition(";")
    if semicolon and re.fullmatch(r"[\w.-]+", kind.strip()):
        diagnostic = rest.strip()
    m = _FIELD_STATUS.search(fields.get("status", ""))
    status = m.group(1) if m else _status_in(diagnostic)
    action = _token(fields.get("action", ""))
    if action not in ("failed", "delayed", "delivered", "relayed", "expanded"):
        action = {"2": "delivered", "4": "delayed"}.get(status[:1], "failed")
    if not status:
        status = {"failed": "5.0.0", "delayed": "4.0.0"}.get(action, "2.0.0")
    return Recipient(address, action, status, diagnostic, status.startswith("5"))


def _report_recipients(part: Message) -> tuple[Recipient, ...]:
    text = _body(part).replace("\r\n", "\n")
    found = (_recipient(_fields(block)) for block in re.split(r"\n[ \t]*\n", text))
    return tuple(r for r in found if r is not None)


def _returned_message_id(mail: _Mail) -> str | None:
    """The Message-ID of the message that came back: from the returned headers or message
    (the third part of an RFC 6522 report, RFC 6533 message/global*), else from a copy in the text."""
    for part in _parts(mail.msg):
        ctype = part.get_content_type()
        if ctype not in _RETURNED_PARTS:
            continue
        inner = _subparts(part)
        if inner:
            value = _Headers(inner[0])("Message-ID")
        else:
            value = str(HeaderParser(policy=compat32).parsestr(_body(part)).get("Message-ID", ""))
        m = re.search(r"<[^<>\s]+>", value)
        if m:
            return m.group(0)
    _, copy = _split_copy(mail.text)
    m = re.search(r"^[ \t]*message-id:[ \t]*(<[^<>\s]+>)", copy, re.I | re.M)
    return m.group(1) if m else None


def _delivery_report(mail: _Mail) -> Verdict | None:
    """RFC 6522 multipart/report carrying an RFC 3464 message/delivery-status (or RFC 6533
    message/global-delivery-status) part. Any failed recipient makes it a bounce; only
    delayed ones a delay; delivered, relayed or expanded ones are a receipt."""
    if not mail.msg.is_multipart():
        return None
    parts = list(_parts(mail.msg))
    report = next((p for p in parts if p.get_content_type() == "multipart/report"), None)
    status_part = next((p for p in parts if p.get_content_type() in _STATUS_PARTS), None)
    if report is None and status_part is None:
        return None
    report_type = str(report.get_param("report-type") or "").lower() if report else ""
    if status_part is None and report_type not in _REPORT_TYPES:
        # read receipts (RFC 8098 disposition-notification), abuse reports (RFC 5965) ...
        return Verdict(Kind.AUTOMATED, f"multipart/report; report-type={report_type or '?'}"
                                       " (not a delivery report)")
    where = f"multipart/report; report-type={report_type}" if report_type else \
        f"{status_part.get_content_type() if status_part else 'multipart/report'} part"
    recipients = _report_recipients(status_part) if status_part is not None else ()
    original = _returned_message_id(mail)
    if not recipients:
        # a broken report still came back from a mail system: read what its words say
        delayed = bool(_DELAY_SUBJECT.match(mail.subject))
        return Verdict(Kind.DELAY if delayed else Kind.BOUNCE,
                       f"{where} (delivery-status unreadable; read from the text)",
                       _recipients_in_text(mail, "delayed" if delayed else "failed"), original)
    for action, kind in (("failed", Kind.BOUNCE), ("delayed", Kind.DELAY)):
        these = tuple(r for r in recipients if r.action == action)
        if these:
            return Verdict(kind, f"{where} (action: {action})", these, original)
    actions = ", ".join(sorted({r.action for r in recipients}))
    return Verdict(Kind.AUTOMATED, f"{where} (action: {actions})")


# 2. Bounces without RFC 3464 structure -------------------------------------------------------

def _plain_bounce(mail: _Mail) -> Verdict | None:
    """qmail, Exim's default, older Exchange and home-made bounces: plain text from a daemon.
    The subject counts from a daemon, the null sender or with Auto-Submitted; the words of
    the text only from a daemon or the null sender."""
    daemon = mail.daemon or mail.null_sender
    machine = daemon or mail.auto_submitted not in ("", "no") or \
        mail.header.has("X-MS-Exchange-Message-Is-Ndr")
    if mail.header("X-Failed-Recipients"):
        why = "X-Failed-Recipients (Exim)"
    elif machine and _DELAY_SUBJECT.match(mail.subject):
        return Verdict(Kind.DELAY, f"a delay warning from {mail.who}",
                       _recipients_in_text(mail, "delayed"), _returned_message_id(mail))
    elif machine and _BOUNCE_SUBJECT.match(mail.subject):
        why = f"a bounce subject from {mail.who}"
    elif daemon and _BOUNCE_TEXT.search(mail.text[:3000]):
        why = f"bounce wording from {mail.who}"
    else:
        return None
    return Verdict(Kind.BOUNCE, f"{why} (no delivery-status part)",
                   _recipients_in_text(mail, "failed"), _returned_message_id(mail))


# 3-5. Automatic replies ----------------------------------------------------------------------

def _ticket_acknowledgement(mail: _Mail) -> str:
    """Why this looks like a ticket system's "we received your request", or "". An out-of-office
    notice stays one whatever system sent it."""
    if mail.auto_subject:
        return ""
    mark = mail.helpdesk or ("a ticket number in the subject"
                             if _TICKET_SUBJECT.search(mail.subject) else "")
    if mark and _ACKNOWLEDGEMENT.search(mail.subject + "\n" + mail.text[:800]):
        return f"a ticket system's acknowledgement ({mark})"
    return ""


def _auto_submitted(mail: _Mail) -> Verdict | None:
    """RFC 3834 section 5: any value but "no" is automatic. "auto-replied" answers a message;
    "auto-generated" (and RFC 5436's "auto-notified") is other machine mail, unless it plainly
    is an out-of-office notice. Help desks set auto-generated on their agents' replies too
    (a client's accounts team may answer through one), so those are read as a person's."""
    value = mail.auto_submitted
    if not value or value == "no":
        return None
    why = f"Auto-Submitted: {value}"
    ticket = _ticket_acknowledgement(mail)
    if ticket:
        return Verdict(Kind.AUTOMATED, f"{why}; {ticket}")
    if value == "auto-replied":
        return Verdict(Kind.AUTO_REPLY, why)
    if mail.auto_subject:
        return Verdict(Kind.AUTO_REPLY, f"{why} with an automatic-reply subject")
    if any(mail.header.has(n) for n in _AUTOREPLY_HEADERS):
        return Verdict(Kind.AUTO_REPLY, f"{why} with an auto-reply header")
    if mail.helpdesk and value == "auto-generated":
        return Verdict(Kind.PERSON, f"{why} from help-desk software ({mail.helpdesk}), which "
                                    "marks its agents' replies so too")
    return Verdict(Kind.AUTOMATED, why)


def _auto_reply_headers(mail: _Mail) -> Verdict | None:
    """Headers autoresponders add before or instead of RFC 3834's (the "X-" ones, and the
    Precedence value some vacation programs use)."""
    for name in _AUTOREPLY_HEADERS:
        value = mail.header(name)
        if mail.header.has(name) and value.lower() not in ("no", "false", "0"):
            ticket = _ticket_acknowledgement(mail)
            if ticket:
                return Verdict(Kind.AUTOMATED, f"{name}; {ticket}")
            return Verdict(Kind.AUTO_REPLY, f"{name}: {value}" if value else name)
    if mail.precedence == "auto_reply":
        return Verdict(Kind.AUTO_REPLY, "Precedence: auto_reply")
    return None


def _auto_reply_subject(mail: _Mail) -> Verdict | None:
    """Exchange's out-of-office replies carry no RFC 3834 header: their subject ("Automatic
    reply:", "Automatische Antwort:" ...) says it, and X-Auto-Response-Suppress asks others
    not to answer. Outlook puts that header on ordinary mail too (MS-OXCMAIL 2.1.3.2.20
    defines it as a request, not a mark), so it counts only with such a subject, or with
    X-MS-Exchange-Inbox-Rules-Loop, which Exchange stamps on what its inbox rules send."""
    marks = [n for n in ("X-Auto-Response-Suppress", "X-MS-Exchange-Inbox-Rules-Loop", "X-Loop")
             if mail.header.has(n)]
    if mail.precedence in ("bulk", "junk", "list"):
        marks.append(f"Precedence: {mail.precedence}")
    if mail.null_sender or mail.daemon:
        marks.append(f"a message from {mail.who}")
    if mail.auto_subject and marks:
        return Verdict(Kind.AUTO_REPLY, f"an automatic-reply subject with {marks[0]}")
    if {"X-Auto-Response-Suppress", "X-MS-Exchange-Inbox-Rules-Loop"} <= set(marks) and \
            not _FORWARD_SUBJECT.match(mail.subject):
        return Verdict(Kind.AUTO_REPLY, "X-Auto-Response-Suppress with "
                                        "X-MS-Exchange-Inbox-Rules-Loop (an Exchange inbox rule answered)")
    return None


# 6-7. Bulk, lists, machine senders -----------------------------------------------------------

def _list_or_bulk(mail: _Mail) -> Verdict | None:
    """Precedence bulk/junk/list (RFC 3834 section 2 tells responders to skip such mail) and the
    list headers of RFC 2369 and RFC 2919. One exception: a reply posted through a discussion
    list (a client's accounts team may be a mail group) is a person's, and says so by
    answering a message (In-Reply-To, RFC 5322 3.6.4) on a list that takes posts (List-Post
    other than "NO", RFC 2369 3.4)."""
    if mail.precedence in ("bulk", "junk", "list"):
        why = f"Precedence: {mail.precedence}"
    elif mail.header.has("List-Id") or mail.header.has("List-Unsubscribe"):
        why = "mailing-list headers (" + ", ".join(
            n for n in ("List-Id", "List-Unsubscribe") if mail.header.has(n)) + ")"
    else:
        return None
    post = mail.header("List-Post")
    answers = mail.header("In-Reply-To") or mail.header("References")
    if mail.header.has("List-Id") and post and not post.upper().startswith("NO") and answers \
            and mail.precedence not in ("bulk", "junk"):
        return Verdict(Kind.PERSON, f"a reply posted through a discussion list ({why}, List-Post, "
                                    "In-Reply-To)")
    return Verdict(Kind.AUTOMATED, why)


def _machine_sender(mail: _Mail) -> Verdict | None:
    if mail.null_sender:
        return Verdict(Kind.AUTOMATED, "the null sender (Return-Path: <>)")
    if mail.daemon:
        return Verdict(Kind.AUTOMATED, f"sent by {mail.who}")
    if _NO_REPLY_LOCAL.match(mail.sender.partition("@")[0]):
        return Verdict(Kind.AUTOMATED, f"sent from a no-reply address ({mail.sender})")
    return None
