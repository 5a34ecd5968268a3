"""The ledger on a real SQLite file."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date
from decimal import Decimal

import pytest

from bot.config import DEFAULT_LADDER
from bot.core.model import InvoiceState
from bot.core.policy import Plan, RequestApproval
from bot.importer import PaymentRow
from bot.ledger import Ledger, LedgerError, StoredMessage, migrations
from tests.support import world

NOW = world.at("2026-03-11T10:00:00+00:00")


@pytest.fixture
def ledger(tmp_path):
    led = Ledger(tmp_path / "a.db")
    led.import_invoices([world.row("A-1", "Acme", "ap@acme.test", date(2026, 3, 1)),
                         world.row("A-2", "Acme", "ap@acme.test", date(2026, 3, 9),
                                   amount="250.00", balance="200.00")], NOW)
    yield led
    led.close()


def test_a_fresh_database_gets_every_migration_and_wal(tmp_path):
    led = Ledger(tmp_path / "fresh.db")
    assert migrations.pending(led.db) == []
    assert {"clients", "invoices", "events", "payments", "approvals", "reminders",
            "outbox"} <= set(led.db.table_names())
    assert led.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    led.close()
    Ledger(tmp_path / "fresh.db").close()  # opening again applies nothing twice


def test_importing_the_same_rows_again_changes_nothing(ledger):
    before = ledger.history()
    again = ledger.import_invoices([world.row("A-1", "Acme", "ap@acme.test", date(2026, 3, 1)),
                                    world.row("A-2", "Acme", "ap@acme.test", date(2026, 3, 9),
                                              amount="250.00", balance="200.00")], NOW)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert ledger.history() == before


def test_a_changed_row_updates_the_invoice_and_says_what_changed(ledger):
    r = ledger.import_invoices([world.row("A-1", "Acme", "ap@acme.test", date(2026, 3, 15))], NOW)
    assert r.updated == 1
    assert ledger.invoice("A-1").due_date == date(2026, 3, 15)
    last = ledger.history(invoice="A-1")[-1]
    assert last["kind"] == "updated"
    assert last["detail"]["changes"]["due_date"] == {"from": "2026-03-01", "to": "2026-03-15"}


def test_payments_reduce_the_balance_and_a_full_payment_marks_the_invoice_paid(ledger):
    rows = [PaymentRow(2, "A-2", Decimal("50"), date(2026, 3, 10), None),
            PaymentRow(3, "A-1", Decimal("100"), date(2026, 3, 10), "TX9"),
            PaymentRow(4, "NOPE", Decimal("1"), date(2026, 3, 10), None)]
    r = ledger.import_payments(rows, NOW)
    assert (r.added, [e.line for e in r.errors]) == (2, [4])
    assert ledger.invoice("A-2").balance == Decimal("150")
    assert ledger.invoice("A-1").state == InvoiceState.PAID
    assert ledger.import_payments(rows[:2], NOW).unchanged == 2
    assert ledger.invoice("A-2").balance == Decimal("150")


def test_two_identical_payments_in_one_file_are_both_kept(ledger):
    same = PaymentRow(2, "A-2", Decimal("20"), date(2026, 3, 10), None)
    ledger.import_payments([same, same], NOW)
    assert ledger.invoice("A-2").balance == Decimal("160")


def test_reimporting_an_old_export_does_not_undo_a_payment_recorded_since(ledger):
    ledger.mark_paid("A-2", NOW, amount=Decimal("30"), actor="sam")
    ledger.import_invoices([world.row("A-2", "Acme", "ap@acme.test", date(2026, 3, 9),
                                      amount="250.00", balance="200.00")], NOW)
    assert ledger.invoice("A-2").balance == Decimal("170")


def test_history_is_append_only(ledger):
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        ledger.db.execute("UPDATE events SET kind = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        ledger.db.execute("DELETE FROM events")


def test_an_illegal_state_change_is_refused(ledger):
    ledger.mark_paid("A-1", NOW, actor="sam")
    with pytest.raises(LedgerError, match="from paid to disputed"):
        ledger.set_state("A-1", InvoiceState.DISPUTED, NOW, actor="sam", reason="test")


def test_a_failed_import_writes_nothing(ledger):
    bad = world.row("A-3", "Acme", "ap@acme.test", date(2026, 3, 9))
    broken = world.row("A-4", "Acme", "ap@acme.test", date(2026, 3, 9), amount="1")
    object.__setattr__(broken, "currency", None)  # violates NOT NULL halfway through
    with pytest.raises(sqlite3.IntegrityError):
        ledger.import_invoices([bad, broken], NOW)
    assert ledger.invoice("A-3") is None


def test_two_approvers_at_once_yield_exactly_one_decision(tmp_path, ledger):
    tier = DEFAULT_LADDER.tiers[3]
    ledger.apply_plan(Plan(approvals=[RequestApproval("acme", tier, ("A-1",), "test")]), NOW)
    (req,) = ledger.approvals()
    results: list[str] = []
    barrier = threading.Barrier(2)

    def decide(who: str, approve: bool) -> None:
        own = Ledger(tmp_path / "a.db")  # a second process would have its own connection
        barrier.wait()
        try:
            own.decide(req["id"], approve=approve, actor=who, now=NOW)
            results.append(who)
        except LedgerError:
            results.append("refused")
        finally:
            own.close()

    threads = [threading.Thread(target=decide, args=("ann", True)),
               threading.Thread(target=decide, args=("bob", False))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("refused") == 1
    decided = ledger.approval(req["id"])
    assert decided["decided_by"] in ("ann", "bob") and decided["status"] in ("approved", "rejected")


def to_person(ledger: Ledger, uid: int, *, client_id: str | None = "acme",
              invoices: tuple[str, ...] = (), kind: str = "label_reply") -> int:
    """A reply taken in and put on the review list, as ``Replies._to_person`` does."""
    (mid,) = ledger.take_in_all([StoredMessage(
        key=f"<r{uid}@acme.test>", role="inbox", folder="INBOX", uidvalidity=1, uid=uid,
        message_id=f"<r{uid}@acme.test>", date=NOW, sender="ap@acme.test",
        recipients=("ar@example.com",), subject="Re: your invoice", kind="person",
        status="review", raw=None, client_id=client_id, invoices=invoices)], NOW)
    assert mid is not None
    rid = ledger.add_review(f"reply:{mid}", kind, "paid (0.75) from Acme", NOW, message=mid)
    assert rid is not None
    return rid


def waiting(ledger: Ledger) -> dict[str, int | None]:
    return {i.number: i.reply_waiting for i in ledger.planning_state(NOW, DEFAULT_LADDER).invoices}


@pytest.fixture
def two_clients(ledger):
    ledger.import_invoices([world.row("B-1", "Bolt", "ap@bolt.test", date(2026, 3, 1))], NOW)
    return ledger


def test_a_reply_waiting_for_a_person_marks_the_invoices_it_names_until_it_is_decided(two_clients):
    ledger = two_clients
    rid = to_person(ledger, 1, invoices=("A-1",))
    assert waiting(ledger) == {"A-1": rid, "A-2": None, "B-1": None}
    # the loaders the outbox's re-check and `why` use say the same
    assert ledger.invoice("A-1").reply_waiting == rid
    assert [i.reply_waiting for i in ledger.invoices(["A-1", "A-2"])] == [rid, None]
    assert ledger.invoice("A-1").state == InvoiceState.OPEN   # a hold, not a state
    assert ledger.resolve_review(rid, actor="sam", resolution="other", now=NOW)
    assert waiting(ledger) == {"A-1": None, "A-2": None, "B-1": None}


def test_a_reply_naming_no_invoice_marks_every_invoice_of_its_client(two_clients):
    ledger = two_clients
    rid = to_person(ledger, 1)
    assert waiting(ledger) == {"A-1": rid, "A-2": rid, "B-1": None}
    assert [i.reply_waiting for i in ledger.invoices_of("acme")] == [rid, rid]


def test_a_reply_matched_to_no_client_and_other_review_items_mark_nothing(two_clients):
    ledger = two_clients
    to_person(ledger, 1, client_id=None)
    to_person(ledger, 2, invoices=("A-1",), kind="question")
    to_person(ledger, 3, invoices=("A-2",), kind="bounce")
    assert waiting(ledger) == {"A-1": None, "A-2": None, "B-1": None}


def test_the_oldest_waiting_reply_is_the_one_named(two_clients):
    ledger = two_clients
    first = to_person(ledger, 1, invoices=("A-1",))
    second = to_person(ledger, 2, invoices=("A-1", "A-2"))
    third = to_person(ledger, 3)
    assert waiting(ledger) == {"A-1": first, "A-2": second, "B-1": None}
    for rid in (first, second):
        ledger.resolve_review(rid, actor="sam", resolution="other", now=NOW)
    assert waiting(ledger) == {"A-1": third, "A-2": third, "B-1": None}
