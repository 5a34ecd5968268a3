"""The planner, on plain values: no database, no clock, no network."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from bot.config import DEFAULT_LADDER
from bot.core.model import Client, Invoice, InvoiceState
from bot.core.policy import Approved, InvoiceProgress, Rules, hold_reason, plan

RULES = Rules(ladder=DEFAULT_LADDER, business_days=(0, 1, 2, 3, 4), window_start=time(9),
              window_end=time(17), min_interval=timedelta(days=3), max_per_week=2)
ACME = Client("acme", "Acme", "ap@acme.test", timezone="Europe/Berlin", country="DE")
# Wednesday 2026-03-11, 10:00 in Berlin
WED = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)


def inv(number: str, due: date, **kw: object) -> Invoice:
    values: dict[str, object] = dict(number=number, client_id="acme", amount=Decimal("100"),
                                     balance=Decimal("100"), currency="EUR",
                                     issue_date=due - timedelta(days=30), due_date=due)
    values.update(kw)
    return Invoice(**values)  # type: ignore[arg-type]


def run(invoices: list[Invoice], now: datetime = WED, progress: dict | None = None,
        recent: dict | None = None, approved: tuple = (), client: Client = ACME):
    return plan(now, RULES, {client.id: client}, invoices, progress or {}, recent or {},
                approved)


def test_a_friendly_reminder_goes_out_three_days_after_the_due_date():
    p = run([inv("A", date(2026, 3, 8))])
    assert [(s.tier.name, s.items) for s in p.sends] == [("reminder", (("A", "reminder"),))]


def test_nothing_goes_out_before_the_first_tier_is_due():
    p = run([inv("A", date(2026, 3, 20))])
    assert p.sends == [] and p.approvals == [] and p.holds == []


def test_a_tier_already_sent_is_never_planned_again():
    p = run([inv("A", date(2026, 3, 8))], progress={"A": InvoiceProgress(done=1)})
    assert p.sends == []


def test_catch_up_sends_only_the_highest_tier_due_and_skips_the_rest():
    p = run([inv("A", date(2026, 2, 20))])  # 19 days late: courtesy, reminder, firm all due
    assert [(s.tier.name, s.items) for s in p.sends] == [("firm", (("A", "firm"),))]
    assert [(s.invoice, s.tiers) for s in p.skips] == [("A", ("courtesy", "reminder"))]


def test_one_email_covers_every_due_invoice_of_a_client_under_the_highest_tier():
    p = run([inv("A", date(2026, 3, 8)), inv("B", date(2026, 2, 20)),
             inv("C", date(2026, 4, 30))])
    assert len(p.sends) == 1
    assert p.sends[0].tier.name == "firm"
    assert p.sends[0].items == (("A", "reminder"), ("B", "firm"))


def test_approval_tiers_become_requests_not_emails():
    p = run([inv("A", date(2026, 2, 9))])  # 30 days late: final notice
    assert p.sends == []
    assert [(a.tier.name, a.invoices) for a in p.approvals] == [("final_notice", ("A",))]


def test_an_approved_escalation_goes_out_alone_in_the_send_window():
    grant = Approved(7, "acme", "final_notice", ("A",))
    p = run([inv("A", date(2026, 2, 9)), inv("B", date(2026, 3, 8))],
            progress={"A": InvoiceProgress(done=3)}, approved=(grant,))
    assert [(s.tier.name, s.items, s.approval_ids) for s in p.sends] == [
        ("final_notice", (("A", "final_notice"),), (7,))]


def test_while_approval_is_pending_the_invoice_waits():
    p = run([inv("A", date(2026, 1, 9))], progress={"A": InvoiceProgress(done=2, awaiting=3)})
    assert p.sends == [] and p.approvals == []
    assert p.holds[0].reason == "waiting for approval of final_notice"


def test_weekends_are_held_with_the_reason():
    sat = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
    p = run([inv("A", date(2026, 3, 8))], now=sat)
    assert p.sends == []
    assert p.holds[0].reason == "not a business day (Saturday in Europe/Berlin)"


def test_the_client_countrys_public_holiday_is_skipped():
    good_friday = datetime(2026, 4, 3, 9, 0, tzinfo=UTC)
    p = run([inv("A", date(2026, 3, 30))], now=good_friday)
    assert p.sends == []
    assert p.holds[0].reason.startswith("public holiday in DE: ")


def test_the_send_window_is_the_clients_local_time():
    tokyo = Client("jp", "Jp", "a@jp.test", timezone="Asia/Tokyo", country="JP")
    invoice = inv("A", date(2026, 3, 8), client_id="jp")
    # 09:00 UTC is 18:00 in Tokyo: closed; 01:00 UTC is 10:00 in Tokyo: open
    assert run([invoice], client=tokyo).sends == []
    early = datetime(2026, 3, 11, 1, 0, tzinfo=UTC)
    assert len(run([invoice], now=early, client=tokyo).sends) == 1


def test_the_minimum_interval_and_weekly_cap_hold_emails_back():
    p = run([inv("A", date(2026, 3, 8))], recent={"acme": [WED - timedelta(days=2)]})
    assert p.sends == [] and "minimum interval is 3 days" in p.holds[0].reason
    recent = {"acme": [WED - timedelta(days=6), WED - timedelta(days=3, hours=1)]}
    p = run([inv("A", date(2026, 3, 8))], recent=recent)
    assert p.sends == [] and p.holds[0].reason.startswith("weekly cap reached")


def test_paid_paused_disputed_and_promised_invoices_are_not_reminded():
    due = date(2026, 3, 8)
    p = run([inv("A", due, balance=Decimal(0)), inv("B", due, paused=True),
             inv("C", due, state=InvoiceState.DISPUTED), inv("D", due, state=InvoiceState.PROMISED)])
    assert p.sends == []
    assert sorted(h.reason for h in p.holds) == [
        "reminder due, but invoice is disputed", "reminder due, but invoice is paused",
        "reminder due, but invoice is promised", "reminder due, but nothing left to pay"]


def test_a_paused_client_gets_nothing():
    paused = Client("acme", "Acme", "ap@acme.test", timezone="Europe/Berlin", paused=True)
    p = run([inv("A", date(2026, 3, 8))], client=paused)
    assert p.sends == [] and p.holds[0].reason == "reminder due, but client is paused"


def test_a_partially_paid_invoice_is_still_reminded():
    p = run([inv("A", date(2026, 3, 8), balance=Decimal("40"))])
    assert [s.invoices for s in p.sends] == [("A",)]


def test_a_reply_waiting_for_a_person_holds_its_invoice_and_names_the_review_item():
    due = date(2026, 3, 8)
    p = run([inv("A", due, reply_waiting=7), inv("B", due)])
    assert [s.invoices for s in p.sends] == [("B",)]
    assert [(h.invoices, h.reason) for h in p.holds] == [
        (("A",), "reminder due, but a client's reply waits for a person (review #7)")]


def test_the_reply_hold_changes_no_state_and_ends_with_the_review_item():
    waiting = inv("A", date(2026, 3, 8), reply_waiting=7)
    assert waiting.state == InvoiceState.OPEN
    assert hold_reason(waiting, ACME) == "a client's reply waits for a person (review #7)"
    assert hold_reason(inv("A", date(2026, 3, 8)), ACME) is None


def test_a_state_that_already_stops_reminders_is_the_reason_given_before_a_waiting_reply():
    disputed = inv("A", date(2026, 3, 8), state=InvoiceState.DISPUTED, reply_waiting=7)
    assert hold_reason(disputed, ACME) == "invoice is disputed"
