"""The main loop: a fixed list of steps, each doing one unit of work and saying whether
there is more. A stop flag (set by SIGTERM/SIGINT) ends it between units.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)

Step = Callable[[], bool]


class Loop:
    def __init__(self, steps: Sequence[tuple[str, Step]], *, stop: threading.Event | None = None,
                 max_units: int = 10_000, on_pass: Callable[[], None] | None = None,
                 wait: Callable[[float, threading.Event], object] | None = None) -> None:
        self.steps = list(steps)
        self.stop = stop or threading.Event()
        self.max_units = max_units
        self.on_pass = on_pass
        # between passes: IMAP IDLE on the inbox when a mailbox is configured (a reply then
        # starts the next pass at once), else a plain wait
        self.wait = wait or (lambda seconds, stop: stop.wait(seconds))

    def run_pass(self) -> int:
        """Run every step until it has nothing more to do. Returns the units of work done."""
        done = 0
        for name, step in self.steps:
            for _ in range(self.max_units):
                if self.stop.is_set():
                    return done
                try:
                    more = step()
                except Exception:
                    # A step must handle its own bad records; if one still escapes, log it and
                    # move on to the next step so one failure cannot spin or stop the loop.
                    log.exception("step %s failed; continuing with the next step", name)
                    break
                done += 1
                if not more:
                    break
        if self.on_pass:
            self.on_pass()
        return done

    def run_forever(self, poll_seconds: float) -> None:
        log.info("running; one pass every %.0f s until stopped", poll_seconds)
        while not self.stop.is_set():
            self.run_pass()
            if not self.stop.is_set():
                try:
                    self.wait(poll_seconds, self.stop)
                except Exception:
                    log.exception("waiting for new mail failed; polling instead")
                    self.stop.wait(poll_seconds)
        log.info("stopped")
