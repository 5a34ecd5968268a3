"""When a client may be written to: their time zone, business days, public holidays, window.

Pure: the caller passes the moment; holiday calendars come from the ``holidays`` package
(data, no I/O) and are cached per country and year.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=1024)
def _calendar(country: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year)


def holiday(country: str, day: date) -> str | None:
    """The name of the public holiday in ``country`` on ``day``, or None."""
    if not country:
        return None
    name = _calendar(country.upper(), day.year).get(day)
    return str(name) if name else None


def local(now: datetime, timezone: str) -> datetime:
    return now.astimezone(zone(timezone))


def closed_reason(now: datetime, *, timezone: str, country: str, business_days: tuple[int, ...],
                  window_start: time, window_end: time) -> str | None:
    """Why ``now`` is not a moment to email this client, or None if it is."""
    t = local(now, timezone)
    if t.weekday() not in business_days:
        return f"not a business day ({DAY_NAMES[t.weekday()]} in {timezone})"
    name = holiday(country, t.date())
    if name:
        return f"public holiday in {country.upper()}: {name}"
    if not window_start <= t.time() < window_end:
        return (f"outside the send window {window_start:%H:%M}-{window_end:%H:%M} "
                f"({timezone}, now {t:%H:%M})")
    return None


def next_open(now: datetime, *, timezone: str, country: str, business_days: tuple[int, ...],
              window_start: time, window_end: time, horizon_days: int = 30) -> datetime | None:
    """The first moment at or after ``now`` when the send gate opens, in UTC terms of ``now``."""
    tz = zone(timezone)
    t = now.astimezone(tz)
    for i in range(horizon_days + 1):
        day = t.date().toordinal() + i
        d = date.fromordinal(day)
        if d.weekday() not in business_days or holiday(country, d):
            continue
        start = datetime.combine(d, window_start, tz)
        end = datetime.combine(d, window_end, tz)
        if i == 0 and t >= end:
            continue
        return max(start, t).astimezone(now.tzinfo)
    return None
