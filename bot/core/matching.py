"""Which client and invoices a reply is about, and how sure that is.

The order follows how much each clue can be trusted: a thread reference to a Message-ID we
(or the original invoice email) used; the client's reply token in a plus-address
(``ar+k3j9x2@example.com``); invoice numbers written in the subject or body; the sender's
address; the sender's domain. The first clue that names something wins, and the match keeps
the evidence so a person can see why.

Whether the sender belongs to the client is decided separately (``trusted``): a stranger's
reply may be matched to an invoice, but it must never change that invoice on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

#: Domains shared by many unrelated people: a sender there proves nothing about a client.
FREEMAIL = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "yahoo.com", "yahoo.co.uk", "icloud.com", "me.com", "aol.com", "gmx.de", "gmx.net",
    "web.de", "t-online.de", "proton.me", "protonmail.com", "mail.com", "yandex.com",
    "zoho.com", "orange.fr", "free.fr", "libero.it", "btinternet.com",
})

# a word of letters, digits and . _ / - with at least one digit (the lookahead keeps the
# digit test inside the regular expression engine)
_TOKEN = re.compile(r"\b(?=[A-Za-z0-9._/-]*\d)([A-Za-z0-9][A-Za-z0-9._/-]{1,30}[A-Za-z0-9])\b")
_MSGID = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True, slots=True)
class Reply:
    """What matching looks at in one message."""

    sender: str                      # addr-spec of From, lower-case
    recipients: tuple[str, ...]      # To, Cc and Delivered-To addr-specs, lower-case
    subject: str
    text: str                        # the readable body
    references: tuple[str, ...]      # In-Reply-To and References Message-IDs, with <>


@dataclass(frozen=True, slots=True)
class Match:
    client_id: str | None
    invoices: tuple[str, ...]
    by: str          # thread | token | invoice_number | address | domain | none
    evidence: str
    trusted: bool    # the sender is one of the client's addresses, or at its own domain


class Directory(Protocol):
    """Lookups into the ledger that matching needs (a fake in unit tests)."""

    def threads(self, message_ids: Sequence[str]) -> Mapping[str, tuple[str, tuple[str, ...]]]:
        """Message-ID -> (client id, invoice numbers) for ids we sent or an invoice used."""
        ...

    def client_for_token(self, token: str) -> str | None: ...

    def invoices_named(self, candidates: Iterable[str]) -> Mapping[str, tuple[str, str]]:
        """Candidate (upper-cased) -> (invoice number, client id) for known invoices."""
        ...

    def clients_with_address(self, address: str) -> Sequence[str]: ...

    def clients_at_domain(self, domain: str) -> Sequence[str]: ...

    def client_addresses(self, client_id: str) -> Sequence[str]: ...

    def open_invoices(self, client_id: str) -> tuple[str, ...]: ...


def message_ids(header: str) -> tuple[str, ...]:
    """The Message-IDs in an In-Reply-To or References header (RFC 5322 3.6.4)."""
    return tuple(_MSGID.findall(header or ""))


def token_of(address: str, mailbox: str) -> str | None:
    """``ar+k3j9x2@example.com`` -> ``k3j9x2`` when ``mailbox`` is ``ar@example.com``."""
    local, _, domain = address.lower().partition("@")
    base_local, _, base_domain = mailbox.lower().partition("@")
    if domain != base_domain or "+" not in local:
        return None
    head, _, token = local.partition("+")
    return token if head == base_local and token else None


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def is_trusted(sender: str, addresses: Sequence[str]) -> bool:
    """The sender is one of the client's addresses, or writes from the client's own (not a
    shared free-mail) domain."""
    sender = sender.lower()
    known = {a.lower() for a in addresses}
    if sender in known:
        return True
    domain = domain_of(sender)
    return domain not in FREEMAIL and domain in {domain_of(a) for a in known}


def candidates(subject: str, text: str, limit: int = 400) -> list[str]:
    """Words that could be invoice numbers (they contain a digit), subject first."""
    seen: dict[str, None] = {}
    for source in (subject, text[:20_000]):
        for m in _TOKEN.finditer(source):
            word = m.group(1).strip("./-_").upper()
            if len(word) >= 3 and any(c.isdigit() for c in word):
                seen.setdefault(word, None)
                if len(seen) >= limit:
                    return list(seen)
    return list(seen)


def match_reply(reply: Reply, directory: Directory, *, mailboxes: Sequence[str]) -> Match:
    """``mailboxes``: our own addresses (From and Reply-To) whose plus-addresses carry tokens."""
    def done(client: str | None, invoices: Sequence[str], by: str, evidence: str) -> Match:
        trusted = bool(client) and is_trusted(reply.sender, directory.client_addresses(client or ""))
        return Match(client, tuple(sorted(set(invoices))), by, evidence, trusted)

    if reply.references:
        found = directory.threads(reply.references)
        for mid in reversed(reply.references):  # the nearest ancestor last in References
            if mid in found:
                client, invoices = found[mid]
                return done(client, invoices, "thread", f"refers to {mid}")

    for address in reply.recipients:
        for box in mailboxes:
            token = token_of(address, box)
            if token:
                owner = directory.client_for_token(token)
                if owner:
                    return done(owner, directory.open_invoices(owner), "token",
                                f"sent to {address}")

    named = directory.invoices_named(candidates(reply.subject, reply.text))
    if named:
        by_client: dict[str, list[str]] = {}
        for number, client in named.values():
            by_client.setdefault(client, []).append(number)
        if len(by_client) == 1:
            (client, numbers), = by_client.items()
            return done(client, numbers, "invoice_number", "mentions " + ", ".join(sorted(numbers)))
        # numbers of several clients: prefer the sender's own client, else leave it to a person
        own = [c for c in by_client if is_trusted(reply.sender, directory.client_addresses(c))]
        if len(own) == 1:
            return done(own[0], by_client[own[0]], "invoice_number",
                        "mentions " + ", ".join(sorted(by_client[own[0]])))

    clients = directory.clients_with_address(reply.sender)
    if len(clients) == 1:
        return done(clients[0], directory.open_invoices(clients[0]), "address",
                    f"sender {reply.sender} is a client address")

    domain = domain_of(reply.sender)
    if domain not in FREEMAIL:
        clients = directory.clients_at_domain(domain)
        if len(clients) == 1:
            return done(clients[0], directory.open_invoices(clients[0]), "domain",
                        f"sender's domain {domain} is the client's")

    return Match(None, (), "none", "no thread, token, invoice number or known sender", False)
