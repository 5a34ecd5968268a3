"""The aging summary and its chart, from plain invoices."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from PIL import Image, ImageFont

from bot.chart import aging_chart
from bot.core.aging import BUCKETS, aging, bucket
from bot.core.model import Invoice, InvoiceState

TODAY = date(2026, 11, 10)


def inv(number: str, late: int, balance: str = "100.00", *, currency: str = "EUR",
        state: InvoiceState = InvoiceState.OPEN, amount: str | None = None) -> Invoice:
    return Invoice(number, "acme", Decimal(amount or balance), Decimal(balance), currency,
                   TODAY - timedelta(days=late + 30), TODAY - timedelta(days=late), state)


@pytest.mark.parametrize(("late", "label"), [
    (-5, "current"), (0, "current"), (1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"),
    (61, "61-90"), (90, "61-90"), (91, "90+"), (400, "90+")])
def test_days_past_due_fall_in_their_bucket(late, label):
    assert bucket(late) == label
    summary = aging([inv("A", late)], TODAY)
    assert summary.rows[0].counts[label] == 1


def test_only_money_still_owed_counts_and_balances_not_amounts():
    summary = aging([
        inv("A", 10, "40.00", amount="100.00"),                     # partly paid: 40 owed
        inv("B", 10, state=InvoiceState.PAID),
        inv("C", 10, state=InvoiceState.CANCELLED),
        inv("D", 10, "0.00"),
        inv("E", 45, "250.00", state=InvoiceState.DISPUTED),
        inv("F", 5, state=InvoiceState.PROMISED),
        inv("G", 5, state=InvoiceState.PAYMENT_CLAIMED),
        inv("H", 200, "60.00", state=InvoiceState.IN_COLLECTIONS),
        inv("I", 10, "-30.00"),                                     # overpaid: a credit, not owed
    ], TODAY)
    (row,) = summary.rows
    assert row.totals["1-30"] == Decimal("240.00") and row.counts["1-30"] == 3
    assert row.totals["31-60"] == Decimal("250.00")
    assert row.totals["90+"] == Decimal("60.00")
    assert row.disputed == Decimal("250.00")
    assert row.total == Decimal("550.00") and row.count == 5


def test_the_summary_cannot_be_changed_after_the_fact():
    (row,) = aging([inv("A", 3)], TODAY).rows
    with pytest.raises(TypeError):
        row.totals["1-30"] = Decimal(0)


def test_currencies_are_never_added_together():
    summary = aging([inv("A", 3, "100.00"), inv("B", 3, "50.00", currency="GBP"),
                     inv("C", 100, "7.00", currency="CHF")], TODAY)
    assert [r.currency for r in summary.rows] == ["CHF", "EUR", "GBP"]
    assert [r.total for r in summary.rows] == [Decimal("7.00"), Decimal("100.00"), Decimal("50.00")]


def test_the_table_names_buckets_and_formats_money_for_the_locale():
    summary = aging([inv("A", 3, "1234.50"), inv("B", 70, "20.00", state=InvoiceState.DISPUTED)], TODAY)
    text = summary.table(locale="en")
    assert all(b in text for b in BUCKETS)
    assert "€1,234.50" in text and "€1,254.50" in text and "€20.00 of it disputed" in text
    assert "1.234,50" in summary.table(locale="de")
    assert aging([], TODAY).table() == "nothing owed"


def test_the_chart_is_a_png_one_panel_per_currency_and_always_the_same_bytes():
    summary = aging([inv("A", 3, "100.00"), inv("B", 95, "900.00"), inv("C", 3, "50.00", currency="GBP")],
                    TODAY)
    png = aging_chart(summary, title="Aging on 2026-11-10")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.mode == "RGB"
    assert image.width == 800 and image.height > 400          # two panels
    assert aging_chart(summary, title="Aging on 2026-11-10") == png
    one = Image.open(io.BytesIO(aging_chart(aging([inv("A", 3)], TODAY))))
    assert one.height < image.height


def test_the_same_invoices_always_draw_the_same_bytes():
    invoices = [inv("A", 3, "100.00"), inv("B", 40, "20.00", state=InvoiceState.DISPUTED),
                inv("C", 3, "50.00", currency="USD")]
    assert aging_chart(aging(invoices, TODAY)) == aging_chart(aging(reversed(invoices), TODAY))


def test_the_chart_of_nothing_owed_says_so():
    png = aging_chart(aging([], TODAY))
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.mode == "RGB" and image.width == 800
    assert aging_chart(aging([], TODAY)) == png


def test_the_chart_draws_with_the_bitmap_font_when_pillow_has_no_scalable_one(monkeypatch):
    def old_pillow(size=None):       # Pillow before 10.1, or built without FreeType
        if size is not None:
            raise ImportError("The _imagingft C module is not installed")
        return ImageFont.load_default_imagefont()

    monkeypatch.setattr(ImageFont, "load_default", old_pillow)
    summary = aging([inv("A", 3, "100.00"), inv("B", 95, "900.00", currency="GBP")], TODAY)
    image = Image.open(io.BytesIO(aging_chart(summary)))
    assert image.format == "PNG" and image.width == 800
