"""120 simulated days over 52 invoices: the reminders that go out are exactly the expected
ones, with time zones, weekends, public holidays, a pause, a partial payment, approvals and
a restart in the middle. Real SQLite file, real SMTP server (STARTTLS + AUTH), fake clock."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.core import calendar
from bot.simclock import SimulatedClock
from tests.support import world

START = world.at("2026-03-02T00:00:00+00:00")  # a Monday
DAYS = 120
ZONES = [("Europe/London", "GB"), ("Europe/Berlin", "DE"), ("America/New_York", "US"),
         ("Australia/Sydney", "AU")]
FULL = ["courtesy", "reminder", "firm", "final_notice", "stop_service"]


def ledger_rows():
    rows = []
    for k in range(44):
        tz, country = ZONES[k % 4]
        rows.append(world.row(f"B-{k:03d}", f"Bulk client {k}", f"ap{k}@bulk{k}.test",
                              date(2026, 3, 2) + timedelta(days=k), timezone=tz, country=country,
                              locale="de" if country == "DE" else "en"))
    rows += [
        world.row("TOKYO-1", "Sakura KK", "ar@sakura.test", date(2026, 3, 2),
                  timezone="Asia/Tokyo", country="JP"),
        world.row("WEEKEND-1", "Weekend Ltd", "ar@weekend.test", date(2026, 3, 4)),
        world.row("HOLIDAY-1", "Feiertag GmbH", "ar@feiertag.test", date(2026, 3, 31),
                  timezone="Europe/Berlin", country="DE", locale="de"),
        world.row("PAUSE-1", "Paused Co", "ar@paused.test", date(2026, 3, 10)),
        world.row("PARTIAL-1", "Partial Ltd", "ar@partial.test", date(2026, 3, 10),
                  amount="1000.00"),
        world.row("REJECT-1", "Rejected Ltd", "ar@rejected.test", date(2026, 3, 2)),
        world.row("TWIN-1", "Twin Ltd", "ar@twin.test", date(2026, 3, 16)),
        world.row("TWIN-2", "Twin Ltd", "ar@twin.test", date(2026, 3, 16), amount="55.00"),
    ]
    return rows


def finance_team(ledger, now: datetime) -> None:
    """What the people do: decide approvals each morning, a pause, payments."""
    day = now.date()
    if now.hour != 10:
        return
    if day == date(2026, 3, 12):
        ledger.set_paused(now=now, actor="alex", paused=True,
                          client_id=ledger.find_client("Paused Co").id)
    if day == date(2026, 3, 11):
        ledger.record_payment("PARTIAL-1", Decimal("400"), day, now, key="bank-1", source="bank")
    if day == date(2026, 3, 20):
        ledger.record_payment("PARTIAL-1", Decimal("600"), day, now, key="bank-2", source="bank")
    for a in ledger.approvals("pending"):
        if now - datetime.fromisoformat(a["requested_at"]) < timedelta(hours=12):
            continue
        if a["invoices"] == ["REJECT-1"]:
            if a["tier"] == "collections":
                continue  # left waiting: must never go out
            ledger.decide(a["id"], approve=a["tier"] != "final_notice", actor="alex", now=now)
        else:
            ledger.decide(a["id"], approve=a["tier"] != "collections", actor="alex", now=now)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory, tls):
    from tests.support.smtpd import SmtpServer
    tmp = tmp_path_factory.mktemp("scenario")
    server = SmtpServer(*tls).start()
    try:
        clock = SimulatedClock(START)
        cfg = world.config(tmp, port=server.port, security="starttls", login=True)
        bot = world.bot(cfg, clock, cafile=tls[0])
        bot.ledger.import_invoices(ledger_rows(), clock())
        restarted = False
        while clock.now < START + timedelta(days=DAYS):
            if clock.now.date() == date(2026, 3, 30) and clock.now.hour == 8:
                bot.ledger.set_paused(now=clock.now, actor="alex", paused=False,
                                      client_id=bot.ledger.find_client("Paused Co").id)
            finance_team(bot.ledger, clock.now)
            if not restarted and clock.now >= START + timedelta(days=60, hours=13):
                bot.close()  # a restart in the middle: everything comes back from the file
                bot = world.bot(cfg, clock, cafile=tls[0])
                restarted = True
            bot.loop.run_pass()
            clock.now = clock.now.replace(minute=0, second=0) + timedelta(hours=1)
        sent = [r for r in bot.ledger.outbox("sent")]
        times = {r["id"]: datetime.fromisoformat(r["sent_at"]) for r in bot.ledger.db.query(
            "SELECT id, sent_at FROM outbox WHERE status = 'sent'")}
        clients = {c.id: c for c in bot.ledger.clients()}
        yield {"sent": sent, "times": times, "server": list(server.messages), "bot": bot,
               "clients": clients}
        bot.close()
    finally:
        server.stop()


def tiers_of(outcome, number):
    return [t for r in sorted(outcome["sent"], key=lambda r: outcome["times"][r.id])
            for n, t in r.items if n == number]


def sent_at(outcome, number, tier):
    """The hour of the pass that sent it (pacing to messages_per_minute adds seconds)."""
    (t,) = [outcome["times"][r.id] for r in outcome["sent"] if (number, tier) in r.items]
    assert t.minute < 5
    return t.replace(minute=0, second=0)


def test_every_email_the_ledger_calls_sent_arrived_exactly_once(outcome):
    assert len(outcome["server"]) == len(outcome["sent"])
    ids = [m.message["Message-ID"] for m in outcome["server"]]
    assert len(set(ids)) == len(ids)
    assert sorted(ids) == sorted(r.message_id for r in outcome["sent"])


def test_every_bulk_invoice_climbs_the_whole_ladder_once_and_collections_is_never_sent(outcome):
    for k in range(44):
        assert tiers_of(outcome, f"B-{k:03d}") == FULL, k


def test_each_invoice_and_tier_goes_out_at_most_once(outcome):
    items = [i for r in outcome["sent"] for i in r.items]
    assert len(items) == len(set(items))


def test_every_email_went_out_on_a_business_day_inside_the_clients_window(outcome):
    for r in outcome["sent"]:
        c = outcome["clients"][r.client_id]
        local = calendar.local(outcome["times"][r.id], c.timezone)
        assert local.weekday() < 5, (r.items, local)
        assert 9 <= local.hour < 17, (r.items, local)
        assert calendar.holiday(c.country, local.date()) is None, (r.items, local)


def test_no_client_gets_two_emails_within_the_minimum_interval_or_over_the_weekly_cap(outcome):
    by_client = defaultdict(list)
    for r in outcome["sent"]:
        c = outcome["clients"][r.client_id]
        by_client[r.client_id].append(calendar.local(outcome["times"][r.id], c.timezone).date())
    for days in by_client.values():
        days.sort()
        for a, b in zip(days, days[1:], strict=False):
            assert (b - a).days >= 3  # calendar days in the client's time zone
        for d in days:
            assert sum(1 for u in days if 0 <= (u - d).days < 7) <= 2


def test_the_reminder_reaches_tokyo_at_nine_in_the_morning_tokyo_time(outcome):
    assert sent_at(outcome, "TOKYO-1", "reminder") == world.at("2026-03-05T00:00:00+00:00")


def test_a_reminder_due_on_saturday_goes_out_on_monday_morning(outcome):
    assert sent_at(outcome, "WEEKEND-1", "courtesy") == world.at("2026-03-02T09:00:00+00:00")
    assert sent_at(outcome, "WEEKEND-1", "reminder") == world.at("2026-03-09T09:00:00+00:00")


def test_good_friday_and_easter_monday_are_skipped_for_a_german_client(outcome):
    assert sent_at(outcome, "HOLIDAY-1", "courtesy") == world.at("2026-03-30T07:00:00+00:00")
    assert sent_at(outcome, "HOLIDAY-1", "reminder") == world.at("2026-04-07T07:00:00+00:00")
    (msg,) = [m.message for m in outcome["server"]
              if m.recipients == ["ar@feiertag.test"] and "HOLIDAY-1" in str(m.message)
              and m.message["Date"].datetime.date() == date(2026, 3, 30)]
    assert msg.get_body(("plain",)).get_content()  # German template rendered


def test_a_paused_client_hears_nothing_and_after_resuming_only_the_highest_tier(outcome):
    assert sent_at(outcome, "PAUSE-1", "courtesy") == world.at("2026-03-09T09:00:00+00:00")
    # resumed at 08:00 UTC on 30 March, 09:00 in London: summer time began on the 29th
    assert sent_at(outcome, "PAUSE-1", "firm") == world.at("2026-03-30T08:00:00+00:00")
    assert "reminder" not in tiers_of(outcome, "PAUSE-1")


def test_a_partial_payment_reminds_about_the_rest_and_full_payment_stops_it(outcome):
    assert tiers_of(outcome, "PARTIAL-1") == ["courtesy", "reminder"]
    (r,) = [r for r in outcome["sent"] if ("PARTIAL-1", "reminder") in r.items]
    (m,) = [m for m in outcome["server"] if m.message["Message-ID"] == r.message_id]
    text = m.message.get_body(("plain",)).get_content()
    assert "600.00" in text


def test_a_rejected_escalation_is_never_sent_and_a_pending_one_waits(outcome):
    assert tiers_of(outcome, "REJECT-1") == ["courtesy", "reminder", "firm", "stop_service"]
    ledger = outcome["bot"].ledger
    pending = ledger.approvals("pending")
    assert [(a["tier"], a["invoices"]) for a in pending] == [("collections", ["REJECT-1"])]
    decided = {(a["tier"], a["status"]) for a in ledger.approvals(None)
               if a["invoices"] == ["REJECT-1"]}
    assert ("final_notice", "rejected") in decided and ("stop_service", "sent") in decided


def test_two_invoices_of_one_client_share_each_email(outcome):
    twin = [r for r in outcome["sent"] if r.client_id == "twin ltd"]
    assert [r.tier for r in sorted(twin, key=lambda r: outcome["times"][r.id])] == FULL
    assert all(set(r.invoices) == {"TWIN-1", "TWIN-2"} for r in twin)
