"""`ReadCache`: one router's bulk prints and identities, shared by calls running in parallel.

Per path it keeps the last bulk `print` (`Snapshot`) and the identities built from it
(`Identities`, kept current by our own writes). Calls now run on several connections at once, so
a print may overlap a write to its path: such a print is returned to its caller but never kept
(it may or may not show the write), and every write drops the path's rows. Concurrent readers of
a path that is not cached wait for one print instead of each sending their own.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable

from providers.connection.identities import ACCOUNTED, SNAPSHOT_MAX_AGE, Identities, Snapshot

Rows = list[dict[str, str]]


class ReadCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshots: dict[str, Snapshot] = {}
        self._identities: dict[str, Identities] = {}
        self._names_itself: set[str] = set()
        # A print is kept only if no write to its path (nor a `run`) began or ended while it was
        # on its way: these count the writes that ended and those in flight.
        self._finished: Counter[str] = Counter()
        self._in_flight: Counter[str] = Counter()
        self._wild_finished = 0  # `run` and the like, which may write to any path
        self._wild_in_flight = 0
        self._forgets = 0  # a write that began before a `forget` never updates an index
        self._filling: dict[str, threading.Lock] = {}

    def snapshot(self, path: str, fetch: Callable[[], Rows]) -> Rows:
        """Every item of `path`: the kept print, or a new one from `fetch`."""
        with self._lock:
            cached = self._fresh(self._snapshots, path)
            if isinstance(cached, Snapshot):
                return [dict(row) for row in cached.rows]
        rows, _ = self._fill(path, fetch, want_rows=True)
        return [dict(row) for row in rows]

    def identities(self, path: str, fetch: Callable[[], Rows], *, names_itself: bool) -> Rows:
        """`.id`, `comment` and `name` of every item of `path`, kept or from a new print."""
        with self._lock:
            if names_itself:
                self._names_itself.add(path)
            kept = self._fresh(self._identities, path)
            if isinstance(kept, Identities):
                return kept.rows()
        _, index = self._fill(path, fetch, want_rows=False)
        return index.rows()

    def begin_write(self, path: str, verb: str) -> int:
        """Before a write is sent: the path's rows go; returns the token `end_write` takes."""
        with self._lock:
            self._snapshots.pop(path, None)
            self._in_flight[path] += 1
            if verb not in ACCOUNTED:
                # `run` and the like: a script may write to any path.
                self._identities.clear()
                self._wild_in_flight += 1
            return self._forgets

    def end_write(self, path: str, verb: str, token: int, words: list[str] | None,
                  ret: str | None) -> None:
        """After a write: `words` None when it failed (a failed `add` may still have been
        applied, a dropped connection may have been a reboot with new `.id`s), which drops the
        path's identities, as does a write `Identities.apply` cannot account for."""
        with self._lock:
            index = self._identities.get(path)
            if index is not None and not (
                    words is not None and token == self._forgets
                    and index.apply(verb, words, ret, names_itself=path in self._names_itself)):
                del self._identities[path]
            self._in_flight[path] -= 1
            self._finished[path] += 1
            if verb not in ACCOUNTED:
                self._wild_in_flight -= 1
                self._wild_finished += 1

    def forget(self) -> None:
        """Nothing kept stands: a new run, or a connection the router closed (maybe a reboot)."""
        with self._lock:
            self._snapshots.clear()
            self._identities.clear()
            # A print on its way is kept: it answers on a connection that is still up (a print
            # retried after its connection dropped is answered after the drop).
            self._forgets += 1

    # -- internals ---------------------------------------------------------------------------

    @staticmethod
    def _fresh(kept: dict[str, Snapshot] | dict[str, Identities], path: str
               ) -> Snapshot | Identities | None:
        entry = kept.get(path)
        if entry is not None and time.monotonic() - entry.taken_at < SNAPSHOT_MAX_AGE:
            return entry
        return None

    def _fill(self, path: str, fetch: Callable[[], Rows], *, want_rows: bool
              ) -> tuple[Rows, Identities]:
        with self._lock:
            filling = self._filling.setdefault(path, threading.Lock())
        with filling:
            with self._lock:
                # Kept by the print this call waited for?
                snapshot = self._fresh(self._snapshots, path)
                index = self._fresh(self._identities, path)
                if isinstance(index, Identities) and not want_rows:
                    return [], index
                if isinstance(snapshot, Snapshot) and isinstance(index, Identities):
                    return snapshot.rows, index
                mark = self._mark(path)
            taken_at = time.monotonic()  # before the print: what it shows is at least this new
            rows = fetch()
            fetched = Identities.of(taken_at, rows)
            with self._lock:
                if mark == self._mark(path) and not self._in_flight[path] \
                        and not self._wild_in_flight:
                    self._snapshots[path] = Snapshot(taken_at, rows)
                    self._identities[path] = fetched
            return rows, fetched

    def _mark(self, path: str) -> tuple[int, int]:
        return (self._finished[path], self._wild_finished)
