"""`RouterClient`: one router, a small pool of lazily opened connections, idempotent calls
retried once.

Providers talk to routers only through `client_for(settings)`. The provider host runs four worker
threads; a client lends each call its own connection (`pool.py`, up to four), so the engine's
parallel steps reach the router in parallel. It reconnects and retries once when an idempotent
call finds its connection dropped (never when a restart may have renumbered the items the words
name), and keeps each path's bulk `print` and identities (`read_cache.py`) until something writes
to that path, so a refresh of N resources reads each path once.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

from providers.connection.dial import Connection, dial
from providers.connection.password import install_log_redaction, password_source
from providers.connection.pool import Pool
from providers.connection.read_cache import ReadCache
from providers.connection.reply import Reply, map_exceptions
from providers.connection.settings import RouterSettings
from providers.errors import RouterError
from providers.normalise import duration_seconds

# After `check` failed to reach a router, the checks of its other resources in the same preview
# skip it instead of each waiting for a connect timeout.
UNREACHABLE_RETRY_AFTER = 30.0

log = logging.getLogger(__name__)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _word(key: str, value: Any) -> str:
    return f"={key}={_plain(value)}"


def _api_name(key: str) -> str:
    """Python keyword spelling to RouterOS spelling: `dst_port` → `dst-port` (`.id` stays)."""
    return key if key.startswith((".", "!")) else key.replace("_", "-")


def _norm_path(path: str) -> str:
    return "/" + path.strip("/")


def _parse_version(text: str) -> tuple[int, int, int]:
    numbers = [int(n) for n in re.findall(r"\d+", text.split(" ")[0])[:3]]
    while len(numbers) < 3:
        numbers.append(0)
    return (numbers[0], numbers[1], numbers[2])


def _names_items(words: Iterable[str]) -> bool:
    return any(word.startswith(("=.id=", "=numbers=", "=destination=")) for word in words)


def _seconds_or_none(value: Any) -> float | None:
    try:
        return duration_seconds(value)
    except ValueError:
        return None


class RouterClient:
    """One router, up to `POOL_SIZE` connections, one call per connection at a time. Obtain it
    with `client_for(settings)`.

    Property names may be given in Python spelling (`dst_port=...`) or RouterOS spelling
    (`**{"dst-port": ...}`); values go out as strings (booleans as `yes`/`no`).
    """

    def __init__(self, settings: RouterSettings) -> None:
        self.settings = settings
        self._pool = Pool(self._dial)
        self._cache = ReadCache()
        # Version, uptime and reachability: read by one call while the others wait for it.
        self._version_lock = threading.RLock()
        self._version: tuple[int, int, int] | None = None
        # The router's uptime when the version was read: a smaller one later means it restarted.
        self._uptime: float | None = None
        self._version_text: str | None = None
        self._unreachable_at: float | None = None

    # -- the public calls --------------------------------------------------------------------

    def print(self, path: str, proplist: Iterable[str] | None = None,
              **query: Any) -> list[dict[str, str]]:
        """`print` with an optional proplist and equality queries (`chain="dstnat"`)."""
        words = []
        if proplist is not None:
            words.append(_word(".proplist", ",".join(proplist)))
        words += [f"?{_api_name(k)}={_plain(v)}" for k, v in query.items()]
        return self._call(path, "print", words, idempotent=True).rows

    def snapshot(self, path: str) -> list[dict[str, str]]:
        """Every item of `path`, from one bulk `print` shared until a write to it or an expiry."""
        path = _norm_path(path)
        self._notice_closed()
        return self._cache.snapshot(path, lambda: self.print(path))

    def identities(self, path: str, *, names_itself: bool = False) -> list[dict[str, str]]:
        """`.id`, `comment` and `name` of every item of `path`, for create's adoption lookup.

        Built from the last bulk `print` (`snapshot`) and kept current by this client's own
        `add`, `set` and `remove` on the path, so N creates share one read. Anything it cannot
        account for drops it: another verb, a failed write, a dropped connection, an `add`
        without a name on a menu that `names_itself` (scripts become `script1`), and
        `SNAPSHOT_MAX_AGE` after that `print` (changes made behind our back). `read` never
        uses it: full rows come from `snapshot`, dropped on every write as before.
        """
        path = _norm_path(path)
        self._notice_closed()
        return self._cache.identities(path, lambda: self.print(path), names_itself=names_itself)

    def forget_snapshots(self) -> None:
        self._cache.forget()

    def add(self, path: str, **props: Any) -> str:
        """`add`; returns the new `.id`. Never retried: a lost reply may hide a completed add."""
        reply = self._call(path, "add", self._props(props), idempotent=False)
        return reply.ret or ""

    def set(self, path: str, id_: str | None, *, unset: Iterable[str] = (), **props: Any) -> None:
        """`set` on an item (or on a singleton menu when `id_` is None), unsetting `unset` too."""
        words = [] if id_ is None else [_word(".id", id_)]
        words += self._props(props)
        words += [f"=!{_api_name(name)}=" for name in unset]
        self._call(path, "set", words, idempotent=True)

    def remove(self, path: str, *ids: str) -> None:
        self._call(path, "remove", [_word(".id", ",".join(ids))], idempotent=True)

    def move(self, path: str, ids: Iterable[str], destination: str | None = None) -> None:
        """Move `ids` (in that order) before `destination`, or to the end without one."""
        words = [_word("numbers", ",".join(ids))]
        if destination is not None:
            words.append(_word("destination", destination))
        self._call(path, "move", words, idempotent=True)

    def run(self, path: str, verb: str, *, idempotent: bool = False, **attrs: Any) -> Reply:
        """Any other command (`/system/script` `run`, `/tool/e-mail` `send`, ...)."""
        return self._call(path, verb, self._props(attrs), idempotent=idempotent)

    @property
    def version(self) -> tuple[int, int, int]:
        """The router's RouterOS version, read from `/system/resource` once, and again after a
        connection was dropped (a reboot may have been an upgrade)."""
        with self._version_lock:
            if self._version is None:
                rows = self.print("/system/resource", proplist=["version", "uptime"])
                text = str(rows[0].get("version", "")) if rows else ""
                if not text:
                    raise RouterError("router did not report its version",
                                      path="/system/resource", command="print", kind="protocol")
                self._version_text, self._version = text, _parse_version(text)
                self._uptime = _seconds_or_none(rows[0].get("uptime"))
                self._unreachable_at = None
            return self._version

    def version_if_reachable(self) -> tuple[int, int, int] | None:
        """The version for `check`, or None when the router cannot be asked right now.

        Preview may run where the router is out of reach (offline, no password configured):
        that is not an error for `check`, which then validates against the newest schema and
        leaves version errors to `create`. A failure is remembered for
        `UNREACHABLE_RETRY_AFTER` seconds so that N checks do not wait N timeouts.
        """
        with self._version_lock:
            if self._version is not None:
                return self._version
            if (self._unreachable_at is not None
                    and time.monotonic() - self._unreachable_at < UNREACHABLE_RETRY_AFTER):
                return None
            try:
                return self.version
            except RouterError as exc:
                self._unreachable_at = time.monotonic()
                log.warning("%s: version unknown at check (%s); checking against the newest "
                            "schema, create will check the version", self.settings.label, exc)
                return None

    @property
    def version_text(self) -> str:
        self.version  # noqa: B018 - reads it on first use
        return self._version_text or ""

    @property
    def connections(self) -> int:
        """Connections open now (idle or in use)."""
        return self._pool.opened

    def close(self) -> None:
        self._pool.close()
        self._lost_session()

    # -- internals ---------------------------------------------------------------------------

    @staticmethod
    def _props(props: Mapping[str, Any]) -> list[str]:
        return [_word(_api_name(k), v) for k, v in props.items() if v is not None]

    def _dial(self) -> Connection:
        install_log_redaction()
        password = password_source.get()
        with map_exceptions(path=self.settings.label, command="login",
                            secrets=(password, *password_source.known_secrets()),
                            trap_kind="login"):
            return dial(self.settings, password)

    def _notice_closed(self) -> None:
        """A connection closed while idle, maybe by a reboot (new `.id`s): nothing read stands."""
        if self._pool.closed_while_idle():
            self._lost_session()

    def _lost_session(self) -> None:
        self._cache.forget()
        with self._version_lock:
            self._version = None

    def _call(self, path: str, verb: str, words: list[str], *, idempotent: bool) -> Reply:
        path = _norm_path(path)
        if verb == "print":
            return self._exchange(path, verb, words, idempotent=idempotent)
        token = self._cache.begin_write(path, verb)
        done: list[str] | None = None
        reply = Reply()
        try:
            reply = self._exchange(path, verb, words, idempotent=idempotent)
            done = words
        finally:
            self._cache.end_write(path, verb, token, done, reply.ret)
        return reply

    def _exchange(self, path: str, verb: str, words: list[str], *, idempotent: bool) -> Reply:
        command = f"{path}/{verb}"
        attempts = 2 if idempotent else 1
        for attempt in range(attempts):
            uptime = self._uptime
            connection = self._take_checked(command, words, since_uptime=uptime)
            try:
                with map_exceptions(path=path, command=verb,
                                    secrets=password_source.known_secrets()):
                    reply = connection.api.ask(command, words)
            except RouterError as exc:
                if exc.kind != "connection":
                    self._pool.give_back(connection)  # a trap: the session goes on
                    raise
                self._pool.discard(connection)
                self._lost_session()
                if attempt + 1 >= attempts:
                    raise
                if _names_items(words) and self._restarted(since_uptime=uptime):
                    raise _restarted_error(path, verb) from exc
                continue
            except BaseException:
                self._pool.discard(connection)  # interrupted mid-reply: its words are unread
                raise
            self._pool.give_back(connection)
            return reply
        raise AssertionError("unreachable")  # pragma: no cover

    def _take_checked(self, command: str, words: list[str], *,
                      since_uptime: float | None) -> Connection:
        """A connection for `words`; when the router had closed idle ones (maybe a reboot), and
        the words name items, only once the router's uptime shows it did not restart."""
        closed: list[bool] = []
        connection = self._pool.take(on_closed=lambda: closed.append(True))
        if not closed:
            return connection
        self._lost_session()
        if not _names_items(words) or since_uptime is None:
            return connection
        self._pool.give_back(connection)  # the uptime is read on whichever is free
        if self._restarted(since_uptime=since_uptime):
            path, verb = command.rsplit("/", 1)
            raise _restarted_error(path, verb)
        return self._pool.take(on_closed=self._lost_session)

    def _restarted(self, *, since_uptime: float | None) -> bool:
        """Whether the router's uptime went back since it was `since_uptime` (one read)."""
        if since_uptime is None:
            return False
        self.version  # noqa: B018 - reconnects and reads version and uptime afresh
        return self._uptime is not None and self._uptime < since_uptime


def _restarted_error(path: str, verb: str) -> RouterError:
    # A restart renumbers `.id`s: the same words could now reach another item.
    return RouterError(
        f"the router restarted while {path}/{verb} was on its way; it was not repeated "
        "because item ids change on a restart: run again",
        path=path, command=verb, kind="connection")


_clients: dict[RouterSettings, RouterClient] = {}
_clients_lock = threading.Lock()


def client_for(settings: RouterSettings | Mapping[str, Any]) -> RouterClient:
    """The process-wide client for a router; the connection opens on its first call."""
    settings = RouterSettings.from_inputs(settings)
    with _clients_lock:
        client = _clients.get(settings)
        if client is None:
            client = _clients[settings] = RouterClient(settings)
        return client


def reset_clients() -> None:
    """Close every connection and forget every client (tests; a new run in one process)."""
    with _clients_lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        client.close()


def forget_snapshots() -> None:
    """Mark the start of a new run: the next read of any path goes to the router."""
    with _clients_lock:
        clients = list(_clients.values())
    for client in clients:
        client.forget_snapshots()
