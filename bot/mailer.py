"""Composing a client's email from the ledger: template, locale, invoice copies, threading.

Used by the outbox just before sending and by ``arbot templates preview``, so an admin sees
exactly what the client would receive.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from bot.config import Config
from bot.core import calendar
from bot.core.compose import Attachment, Envelope, build_message, make_message_id
from bot.core.model import Client, Invoice
from bot.pdfcopy import PdfCopyError, generate_copy, stamp_copy, stamp_label
from bot.templates import MessageTemplates, Rendered, format_date

log = logging.getLogger(__name__)

#: Messages that carry no invoice copies.
NO_ATTACHMENTS = frozenset({"payment_thanks"})


@dataclass(frozen=True)
class Composed:
    message: EmailMessage
    envelope: Envelope
    rendered: Rendered
    attachments: tuple[str, ...]
    notes: tuple[str, ...]  # what the operator should know (an original PDF was unreadable...)


def plain_html(text: str) -> str:
    """A plain text as simple HTML: escaped, paragraphs and line breaks kept."""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    body = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return f"<!DOCTYPE html><html><body>{body}</body></html>"


class Mailer:
    def __init__(self, config: Config, templates: MessageTemplates) -> None:
        self.config = config
        self.templates = templates

    def company(self) -> dict[str, str]:
        c = self.config.company
        return {"name": c.name, "email": self.config.mail.reply_to or self.config.mail.from_address,
                "phone": c.phone, "website": c.website, "signature": c.signature,
                "payment_details": c.payment_details}

    def extras(self, template: str, client: Client, invoices: Sequence[Invoice], now: datetime,
               extra: Mapping[str, Any] | None) -> dict[str, Any]:
        """Values some messages need beyond the invoices, formatted for the client."""
        today = calendar.local(now, client.timezone).date()
        out: dict[str, Any] = {}
        p = self.config.policy
        promised = [i.promised_date for i in invoices if i.promised_date is not None]
        if template == "promise_missed" and promised:
            out["promise_date"] = format_date(max(promised), client.locale)
        if template == "stop_service":
            out["stop_date"] = format_date(today + timedelta(days=p.stop_service_days),
                                           client.locale)
        if template == "collections":
            out["handoff_date"] = format_date(today + timedelta(days=p.collections_days),
                                              client.locale)
        out.update(extra or {})
        return out

    def render(self, template: str, client: Client, invoices: Sequence[Invoice], now: datetime,
               extra: Mapping[str, Any] | None = None) -> Rendered:
        from bot.templates import message_context
        today = calendar.local(now, client.timezone).date()
        ctx = message_context(company=self.company(), client=client, invoices=invoices,
                              today=today, locale=client.locale,
                              extra=self.extras(template, client, invoices, now, extra))
        return self.templates.render(template, client.locale, ctx)

    def copies(self, invoices: Sequence[Invoice], client: Client) -> tuple[list[Attachment], list[str]]:
        files: list[Attachment] = []
        notes: list[str] = []
        for inv in invoices:
            data: bytes | None = None
            if inv.pdf_path:
                try:
                    data = stamp_copy(Path(inv.pdf_path).read_bytes(), stamp_label(client.locale))
                except OSError as e:
                    notes.append(f"{inv.number}: original PDF unreadable ({e.strerror}); "
                                 f"a generated copy was attached")
                except PdfCopyError as e:
                    notes.append(f"{inv.number}: original PDF unusable ({e}); a generated copy "
                                 f"was attached")
            if data is None:
                data = generate_copy(inv, client, company_name=self.config.company.name,
                                     locale=client.locale)
            files.append(Attachment(f"{inv.number}-copy.pdf", data))
        return files, notes

    def compose(self, template: str, client: Client, invoices: Sequence[Invoice], now: datetime,
                *, message_id: str | None = None, extra: Mapping[str, Any] | None = None,
                edited: tuple[str, str] | None = None) -> Composed:
        """The email for ``template``; with ``edited`` (subject, text), the words a person
        wrote before approving replace the template's, with everything else unchanged."""
        rendered = self.render(template, client, invoices, now, extra)
        if edited is not None:
            subject, text = edited
            rendered = Rendered(subject=" ".join(subject.split()), text=text,
                                html=plain_html(text), locale=rendered.locale)
        attachments, notes = ([], []) if template in NO_ATTACHMENTS else \
            self.copies(invoices, client)
        mail = self.config.mail
        reply_to = mail.reply_to
        if mail.reply_tokens and client.reply_token:
            # a plus-address per client (RFC 5233 subaddress): a reply names its client even
            # when the subject and the thread were lost on the way
            local, _, domain = (mail.reply_to or mail.from_address).partition("@")
            reply_to = f"{local}+{client.reply_token}@{domain}"
        thread = list(dict.fromkeys(i.message_id for i in invoices if i.message_id))
        # addresses that bounced are skipped: the next contact becomes the recipient
        working = client.working_addresses or (client.email,)
        msg, env = build_message(
            from_address=mail.from_address, from_name=mail.from_name or self.config.company.name,
            to=[(client.name, working[0])], cc=working[1:],
            bcc=[mail.bcc] if mail.bcc else [], reply_to=reply_to,
            subject=rendered.subject, text=rendered.text, html=rendered.html,
            message_id=message_id or make_message_id(mail.domain), date=now, thread=thread,
            attachments=attachments,
            # RFC 3834 section 5: lets well-behaved autoresponders stay quiet.
            extra_headers=[("Auto-Submitted", "auto-generated")])
        return Composed(msg, env, rendered, tuple(a.filename for a in attachments), tuple(notes))
