"""The aging chart of the daily digest: a PNG drawn with Pillow, one bar per bucket and one
panel per currency (currencies are never added together). Pillow's built-in font is used, so
no font files are needed, and the same summary always gives the same bytes."""

from __future__ import annotations

import io
from decimal import Decimal

from babel.numbers import format_decimal
from PIL import Image, ImageDraw, ImageFont

from bot.core.aging import BUCKETS, Aging


def _amount(value: Decimal, currency: str, locale: str) -> str:
    """"EUR 2,400.00": the built-in font has no currency signs, so the ISO code stands in."""
    return f"{currency} {format_decimal(value, format='#,##0.00', locale=locale.replace('-', '_'))}"


WIDTH, PANEL, HEADER = 800, 260, 50
_BACKGROUND, _INK, _GRID = (255, 255, 255), (40, 40, 40), (225, 225, 225)
# from "still fine" to "long overdue"
_COLOURS = ((120, 170, 120), (230, 190, 80), (235, 140, 60), (215, 90, 60), (160, 40, 40))


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    # Pillow before 10.1 takes no size (TypeError); a Pillow built without FreeType cannot load
    # the scalable font (ImportError). Either way the small bitmap font still draws every label.
    except (TypeError, ImportError):
        return ImageFont.load_default()


def aging_chart(summary: Aging, *, locale: str = "en", title: str = "Aging") -> bytes:
    """The chart as PNG bytes."""
    panels = max(1, len(summary.rows))
    image = Image.new("RGB", (WIDTH, HEADER + panels * PANEL), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    big, small = _font(20), _font(13)
    draw.text((20, 14), title, fill=_INK, font=big)
    if summary.empty:
        draw.text((20, HEADER + PANEL // 2 - 10), "Nothing is owed.", fill=_INK, font=big)
    for n, row in enumerate(summary.rows):
        top = HEADER + n * PANEL
        left, right, base, height = 70, WIDTH - 30, top + PANEL - 50, PANEL - 100
        heading = (f"{_amount(row.total, row.currency, locale)} owed, "
                   f"{row.count} invoice{'s' if row.count != 1 else ''}")
        if row.disputed:
            heading += f", {_amount(row.disputed, row.currency, locale)} of it disputed"
        draw.text((20, top + 8), heading, fill=_INK, font=small)
        highest = max(row.totals.values(), default=Decimal(0)) or Decimal(1)
        for g in range(5):
            y = base - height * g // 4
            draw.line((left, y, right, y), fill=_GRID)
        slot = (right - left) // len(BUCKETS)
        for i, label in enumerate(BUCKETS):
            value = row.totals.get(label, Decimal(0))
            x0 = left + i * slot + slot // 6
            x1 = left + (i + 1) * slot - slot // 6
            # at least a sliver, so a small amount beside a large one still shows its colour
            y0 = base - max(3, int(height * (value / highest)))
            if value > 0:
                draw.rectangle((x0, y0, x1, base), fill=_COLOURS[i])
                amount = _amount(value, row.currency, locale)
                draw.text(((x0 + x1) // 2, y0 - 4), amount, fill=_INK, font=small, anchor="mb")
            draw.text(((x0 + x1) // 2, base + 8), label if label == "current" else f"{label} days",
                      fill=_INK, font=small, anchor="mt")
        draw.line((left, base, right, base), fill=_INK)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
