"""Fault injection: the settings a test changes at run time to make the simulated router misbehave.

The test thread writes these while the server thread reads them, so countdowns go through a lock.
This module only holds and counts; the session (traps, refused logins) and the server (latency,
dropped connections, session cap) act on it. It knows nothing of bytes or sockets.
"""

from __future__ import annotations

import threading

from simulator.api import Category, CommandError


class Faults:
    """Run-time fault settings, all off by default.

    - `latency`: seconds (real time) the server waits before each command's reply, like a round
      trip to a remote site. Paid once per reply, not per `!re`, as a network delay would be.
    - `drop_after(n)`: the server sends `n` more reply sentences (counted over all sessions), then
      drops the connection that would send the next one. One-shot; `every_time=True` re-arms it.
    - `trap_command(n, message)`: the `n`-th command from now (1 = the next, counted over all
      sessions; logins, `/cancel` and `/quit` excluded) is answered with a `!trap` and never
      reaches the router. One-shot.
    - `max_sessions`: more concurrent connections than this are closed on accept, as a router
      whose API `max-sessions` is reached does. None means the server's default (20).
    - `refuse_logins`: every login fails with the router's wrong-password trap.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.latency: float = 0.0
        self.max_sessions: int | None = None
        self.refuse_logins: bool = False
        self._drop_after: int | None = None
        self._drop_every_time = False
        self._drop_left: int | None = None
        self._trap_left: int | None = None
        self._trap = CommandError("simulated failure", Category.GENERAL_FAILURE)

    def drop_after(self, sentences: int, *, every_time: bool = False) -> None:
        if sentences < 0:
            raise ValueError("sentences must be >= 0")
        with self._lock:
            self._drop_after = sentences
            self._drop_left = sentences
            self._drop_every_time = every_time

    def trap_command(
        self,
        n: int = 1,
        message: str = "simulated failure",
        category: Category | None = Category.GENERAL_FAILURE,
    ) -> None:
        if n < 1:
            raise ValueError("n counts from 1 (the next command)")
        with self._lock:
            self._trap_left = n
            self._trap = CommandError(message, category)

    def reset(self) -> None:
        """Turn every fault off."""
        with self._lock:
            self.latency = 0.0
            self.max_sessions = None
            self.refuse_logins = False
            self._drop_left = None
            self._trap_left = None

    def sentence_sent(self) -> bool:
        """Count one reply sentence about to be sent; True means drop the connection instead."""
        with self._lock:
            if self._drop_left is None:
                return False
            if self._drop_left > 0:
                self._drop_left -= 1
                return False
            self._drop_left = self._drop_after if self._drop_every_time else None
            return True

    def next_command_trap(self) -> CommandError | None:
        """Count one command; the error to answer it with if its number came up."""
        with self._lock:
            if self._trap_left is None:
                return None
            self._trap_left -= 1
            if self._trap_left > 0:
                return None
            self._trap_left = None
            return self._trap
