"""The router's virtual clock.

Tests advance it (`advance(30)`) so ten minutes of router life take milliseconds; the command-line
simulator advances it with real time. Timers scheduled on it fire in time order during `advance`.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# An arbitrary, fixed boot time keeps printed dates deterministic in tests.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(order=True)
class _Timer:
    due: float
    seq: int
    action: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class Clock:
    def __init__(self) -> None:
        self._now = 0.0
        self._timers: list[_Timer] = []
        self._seq = itertools.count()

    def now(self) -> float:
        """Seconds since the simulated boot epoch."""
        return self._now

    def wallclock(self) -> datetime:
        return EPOCH + timedelta(seconds=self._now)

    def call_at(self, due: float, action: Callable[[], None]) -> _Timer:
        timer = _Timer(due, next(self._seq), action)
        heapq.heappush(self._timers, timer)
        return timer

    def call_later(self, delay: float, action: Callable[[], None]) -> _Timer:
        return self.call_at(self._now + delay, action)

    @staticmethod
    def cancel(timer: _Timer | None) -> None:
        if timer is not None:
            timer.cancelled = True

    def at_wallclock(self, when: datetime) -> float:
        """The clock reading (`now()` scale) at a wall-clock time."""
        return (when - EPOCH).total_seconds()

    def advance(self, seconds: float) -> None:
        """Move time forward, firing every timer that falls due, in order, at its due time."""
        if seconds < 0:
            raise ValueError("the clock cannot go backwards")
        target = self._now + seconds
        while self._timers and self._timers[0].due <= target:
            timer = heapq.heappop(self._timers)
            if timer.cancelled:
                continue
            self._now = max(self._now, timer.due)
            timer.action()
        self._now = target
