"""Matching a reply to its client and invoices, in the order of trust, with a fake ledger."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bot.core.matching import Reply, candidates, is_trusted, match_reply, message_ids, token_of

OURS = ["accounts@example.com", "ar@example.com"]


class FakeDirectory:
    def __init__(self) -> None:
        self.clients = {"acme": ["ap@acme.test", "boss@acme.test"], "bolt": ["pay@bolt.test"],
                        "gmailer": ["jo.bloggs@gmail.com"]}
        self.invoices = {"INV-1": "acme", "INV-2": "acme", "B-77": "bolt", "G-5": "gmailer"}
        self.sent = {"<r1@example.com>": ("acme", ("INV-2",)),
                     "<orig-b77@billing.example.com>": ("bolt", ("B-77",))}
        self.tokens = {"k3j9x2": "bolt"}

    def threads(self, ids: Sequence[str]) -> Mapping[str, tuple[str, tuple[str, ...]]]:
        return {i: self.sent[i] for i in ids if i in self.sent}

    def client_for_token(self, token: str) -> str | None:
        return self.tokens.get(token)

    def invoices_named(self, words: Iterable[str]) -> Mapping[str, tuple[str, str]]:
        return {w: (w, self.invoices[w]) for w in words if w in self.invoices}

    def clients_with_address(self, address: str) -> Sequence[str]:
        return [c for c, a in self.clients.items() if address in a]

    def clients_at_domain(self, domain: str) -> Sequence[str]:
        return [c for c, a in self.clients.items() if any(x.endswith("@" + domain) for x in a)]

    def client_addresses(self, client: str) -> Sequence[str]:
        return self.clients.get(client, [])

    def open_invoices(self, client: str) -> tuple[str, ...]:
        return tuple(sorted(n for n, c in self.invoices.items() if c == client))


def reply(sender="ap@acme.test", to=("accounts@example.com",), subject="Re: your email",
          text="Thanks", refs=()):
    return Reply(sender, tuple(to), subject, text, tuple(refs))


def test_a_reply_in_our_thread_is_matched_to_the_invoices_of_that_email():
    m = match_reply(reply(refs=["<other@x.test>", "<r1@example.com>"], text="about INV-1"),
                    FakeDirectory(), mailboxes=OURS)
    assert (m.client_id, m.invoices, m.by, m.trusted) == ("acme", ("INV-2",), "thread", True)
    assert "<r1@example.com>" in m.evidence


def test_a_reply_to_the_original_invoice_email_is_matched_through_its_message_id():
    m = match_reply(reply(sender="pay@bolt.test", refs=["<orig-b77@billing.example.com>"]),
                    FakeDirectory(), mailboxes=OURS)
    assert (m.client_id, m.invoices, m.by) == ("bolt", ("B-77",), "thread")


def test_the_reply_token_names_the_client_when_the_thread_is_lost():
    m = match_reply(reply(sender="someone@bolt.test", to=["ar+k3j9x2@example.com"]),
                    FakeDirectory(), mailboxes=OURS)
    assert (m.client_id, m.by, m.invoices, m.trusted) == ("bolt", "token", ("B-77",), True)


def test_invoice_numbers_in_subject_or_body_come_next():
    m = match_reply(reply(subject="Payment for inv-1", text="and also INV-2."), FakeDirectory(),
                    mailboxes=OURS)
    assert (m.client_id, m.invoices, m.by) == ("acme", ("INV-1", "INV-2"), "invoice_number")


def test_then_the_senders_address_then_its_domain():
    d = FakeDirectory()
    assert match_reply(reply(sender="boss@acme.test"), d, mailboxes=OURS).by == "address"
    m = match_reply(reply(sender="new.clerk@acme.test"), d, mailboxes=OURS)
    assert (m.client_id, m.by, m.trusted, m.invoices) == ("acme", "domain", True, ("INV-1", "INV-2"))


def test_a_free_mail_domain_proves_nothing_about_a_client():
    m = match_reply(reply(sender="stranger@gmail.com"), FakeDirectory(), mailboxes=OURS)
    assert (m.client_id, m.by) == (None, "none")


def test_a_stranger_naming_an_invoice_is_matched_but_not_trusted():
    m = match_reply(reply(sender="fraud@evil.test", subject="INV-1 paid, new bank details"),
                    FakeDirectory(), mailboxes=OURS)
    assert (m.client_id, m.invoices, m.trusted) == ("acme", ("INV-1",), False)


def test_numbers_of_two_clients_go_to_the_senders_own_client_or_to_nobody():
    d = FakeDirectory()
    m = match_reply(reply(sender="pay@bolt.test", text="INV-1 and B-77"), d, mailboxes=OURS)
    assert (m.client_id, m.invoices) == ("bolt", ("B-77",))
    m = match_reply(reply(sender="x@other.test", text="INV-1 and B-77"), d, mailboxes=OURS)
    assert m.client_id is None


def test_helpers_read_headers_and_words_the_way_mail_writes_them():
    assert message_ids("<a@b>\r\n <c@d>") == ("<a@b>", "<c@d>")
    assert token_of("AR+k3j9x2@Example.com", "ar@example.com") == "k3j9x2"
    assert token_of("ar+k3j9x2@other.com", "ar@example.com") is None
    assert token_of("ar@example.com", "ar@example.com") is None
    assert candidates("Re: Invoice INV-2026-0042.", "ref 10234, see page 2") == \
        ["INV-2026-0042", "10234"]
    assert is_trusted("Boss@Acme.test", ["boss@acme.test"])
    assert not is_trusted("a@gmail.com", ["b@gmail.com"])
