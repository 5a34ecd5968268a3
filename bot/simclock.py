"""A clock that only moves when told to: for the demo, ``arbot plan`` and scenario tests."""

from __future__ import annotations

from datetime import datetime, timedelta


class SimulatedClock:
    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the simulated clock needs an aware datetime")
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def advance(self, delta: timedelta) -> None:
        self.now += delta
