"""A few logged-in connections to one router, each used by one call at a time.

librouteros is synchronous: a connection carries one command and waits for its `!done`. The
provider host serves four calls at a time, so a client keeps up to `POOL_SIZE` connections and
lends each to one call. Connections open only when every open one is busy: calls made one after
another share one connection and one login. A connection the router closed while it sat idle (a
reboot ends every API session) is noticed when it is taken and never lent.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from providers.connection.dial import Connection

# The provider host's worker threads (pulumi's dynamic-provider host serves four calls at once);
# more connections would only wait. RouterOS allows 20 API sessions by default (`/ip service`
# `max-sessions`), which leaves room for the admin's own.
POOL_SIZE = 4


class Pool:
    """Up to `size` connections from `open_one`, lent one call at a time."""

    def __init__(self, open_one: Callable[[], Connection], size: int = POOL_SIZE) -> None:
        self._open_one = open_one
        self._size = size
        self._free = threading.Condition(threading.Lock())
        self._idle: list[Connection] = []
        self._opened = 0  # idle, lent, or being dialled
        self._closes = 0  # `close` calls: a connection lent before one is not taken back
        self._lent_at: dict[int, int] = {}

    def take(self, on_closed: Callable[[], None]) -> Connection:
        """An idle connection, a new one while fewer than `size` are open, or the first one given
        back. `on_closed` runs for each idle connection the router had closed (maybe a reboot)."""
        with self._free:
            while True:
                while self._idle:
                    connection = self._idle.pop()
                    if connection.peer_closed():
                        self._forget(connection)
                        on_closed()
                        continue
                    self._lent_at[id(connection)] = self._closes
                    return connection
                if self._opened < self._size:
                    self._opened += 1
                    closes = self._closes
                    break
                self._free.wait()
        try:
            connection = self._open_one()
        except BaseException:
            with self._free:
                self._opened -= 1
                self._free.notify()
            raise
        with self._free:
            self._lent_at[id(connection)] = closes
        return connection

    def give_back(self, connection: Connection) -> None:
        with self._free:
            if self._lent_at.pop(id(connection), self._closes) != self._closes:
                self._forget(connection)
                return
            self._idle.append(connection)
            self._free.notify()

    def discard(self, connection: Connection) -> None:
        """A connection that failed: closed, never lent again."""
        with self._free:
            self._lent_at.pop(id(connection), None)
            self._forget(connection)

    def closed_while_idle(self) -> bool:
        """Whether the router closed any idle connection (each such one is forgotten)."""
        with self._free:
            closed = [c for c in self._idle if c.peer_closed()]
            for connection in closed:
                self._idle.remove(connection)
                self._forget(connection)
            return bool(closed)

    def close(self) -> None:
        """Close the idle connections now and each lent one when it is given back."""
        with self._free:
            idle, self._idle = self._idle, []
            self._closes += 1
            for connection in idle:
                self._forget(connection)

    @property
    def opened(self) -> int:
        with self._free:
            return self._opened

    def _forget(self, connection: Connection) -> None:
        """Close a connection that is neither idle nor lent any more (the lock is held)."""
        self._opened -= 1
        self._free.notify()
        with contextlib.suppress(OSError):
            connection.close()
