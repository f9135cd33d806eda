"""What a simulated router was asked, read from its command counters, and the time it took."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

READ_VERBS = frozenset({"print", "getall"})
# Connection bookkeeping, not work: neither a read nor a write.
SESSION_COMMANDS = frozenset({"/login", "/cancel", "/quit"})


@dataclass
class Figures:
    """One measured operation: wall seconds and the router's counters over it."""

    seconds: float = 0.0
    commands: Counter[str] = field(default_factory=Counter)

    @property
    def logins(self) -> int:
        return self.commands["/login"]

    @property
    def total(self) -> int:
        """API commands, logins included (a login is a round trip too)."""
        return sum(n for cmd, n in self.commands.items() if cmd not in ("/cancel", "/quit"))

    @property
    def reads(self) -> int:
        return sum(n for cmd, n in self.commands.items() if _verb(cmd) in READ_VERBS)

    @property
    def writes(self) -> int:
        return sum(n for cmd, n in self.commands.items()
                   if cmd not in SESSION_COMMANDS and _verb(cmd) not in READ_VERBS)

    def reads_by_path(self) -> dict[str, int]:
        return {cmd.rsplit("/", 1)[0]: n for cmd, n in sorted(self.commands.items())
                if _verb(cmd) in READ_VERBS}

    def as_json(self) -> dict[str, Any]:
        return {"seconds": round(self.seconds, 4), "commands": self.total,
                "writes": self.writes, "reads": self.reads, "logins": self.logins,
                "by_command": dict(sorted(self.commands.items()))}


def _verb(command: str) -> str:
    return command.rsplit("/", 1)[-1]


def count_api_only(router: Any) -> None:
    """Make `snapshot` count what clients sent over the API, not what the router's scripts did.

    The simulator's counters include the commands a script runs (`/system/script/run` from the
    API runs the sync script, which reads and writes through the same `router.call`). Every one
    of those is a call made while another call is in progress on the same thread; this wraps
    `router.call` to count them apart (`router.bench_script_stats`), and `snapshot` subtracts
    them. Scripts run by netwatch or the scheduler run while the clock advances, which the
    benchmark never does while it measures a deployment.
    """
    if hasattr(router, "bench_script_stats"):
        return
    inner: Counter[str] = Counter()
    local = threading.local()
    original = router.call

    def call(request: Any) -> Any:
        depth = getattr(local, "depth", 0)
        if depth:
            inner[request.command] += 1  # the outer call holds router.lock (re-entrant)
        local.depth = depth + 1
        try:
            return original(request)
        finally:
            local.depth = depth

    router.call = call
    router.bench_script_stats = inner


def snapshot(router: Any) -> Counter[str]:
    with router.lock:
        counts = Counter(router.stats)
        counts.subtract(getattr(router, "bench_script_stats", Counter()))
        return +counts


@contextmanager
def measuring(router: Any) -> Iterator[Figures]:
    """`with measuring(sim.router) as figures:` fills `figures` when the block ends."""
    figures = Figures()
    before = snapshot(router)
    start = time.perf_counter()
    try:
        yield figures
    finally:
        figures.seconds = time.perf_counter() - start
        figures.commands = snapshot(router) - before


def measure(router: Any, work: Callable[[], Any]) -> tuple[Figures, Any]:
    with measuring(router) as figures:
        result = work()
    return figures, result
