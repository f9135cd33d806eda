"""The connection layer: per-router settings, the password source, and one client per router.

Providers talk to routers only through `client_for(settings)`. A client owns one lazily opened
librouteros connection, serialises the calls made on it (the provider host runs four worker
threads), reconnects and retries once when an idempotent call finds the connection dropped, and
caches one bulk `print` per menu path until something writes to that path (so a refresh of N
resources reads each path once). Alongside each bulk `print` it keeps the path's identities
(`.id` → comment and name), which our own `add`, `set` and `remove` keep current, so the
creates of a run share one read for their adoption lookup (`identities`).

Replies are kept as the router's strings: librouteros' value casting (`yes` → True, digits →
int) is bypassed so that a comment `"yes"` or a source `"007"` survives unchanged.

The password is never a setting, an input or an output: `password_source` holds what
`configure` read from stack config (`routeros:password`), with `ROUTEROS_PASSWORD` as fallback.
Nothing here imports load-balancing code, and importing this module opens nothing.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import select
import ssl
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import librouteros
from librouteros.api import Api
from pydantic import BaseModel, ConfigDict, Field, model_validator

from providers.errors import RouterError, map_exceptions, redact
from providers.normalise import duration_seconds

API_PORT = 8728
API_SSL_PORT = 8729

PASSWORD_CONFIG_KEY = "routeros:password"  # noqa: S105 - a key, not a secret
PASSWORD_ENV = "ROUTEROS_PASSWORD"  # noqa: S105 - a variable name

# A refresh reads every resource of a path within seconds; a process that lives longer (a test
# session, a long `up`) must still see changes made behind its back.
SNAPSHOT_MAX_AGE = 10.0

# After `check` failed to reach a router, the checks of its other resources in the same preview
# skip it instead of each waiting for a connect timeout.
UNREACHABLE_RETRY_AFTER = 30.0

log = logging.getLogger(__name__)


class RouterSettings(BaseModel):
    """Where a router is and how to reach it. Frozen and hashable; it has no password, ever."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(min_length=1)
    port: int = Field(default=0, ge=0, le=65535, description="0 picks 8728, or 8729 with TLS")
    tls: bool = False
    verify_tls: bool = True
    ca_file: str | None = None
    username: str = Field(default="admin", min_length=1)
    timeout: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _default_port(self) -> RouterSettings:
        if self.port == 0:
            object.__setattr__(self, "port", API_SSL_PORT if self.tls else API_PORT)
        return self

    @classmethod
    def from_inputs(cls, value: Mapping[str, Any] | RouterSettings) -> RouterSettings:
        """Build settings from a resource's `router` input (a dict in Pulumi's property bag)."""
        if isinstance(value, RouterSettings):
            return value
        return cls.model_validate({k: v for k, v in dict(value).items() if v is not None})

    def as_inputs(self) -> dict[str, Any]:
        """The plain-data form a resource stores as its `router` input."""
        return self.model_dump()

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def target(self) -> tuple[str, int]:
        """Which router: a new host or port is another router (objects there are replaced);
        username, TLS options and timeout only change how it is reached."""
        return (self.host, self.port)


class PasswordSource:
    """Holds the router password read at `configure`, with the environment as fallback."""

    def __init__(self) -> None:
        self._value: str | None = None
        self._lock = threading.Lock()

    def configure(self, req: Any) -> None:
        """Read `routeros:password` from a ConfigureRequest (secrets arrive decrypted)."""
        value = req.config.get(PASSWORD_CONFIG_KEY)
        if value is not None:
            self.set(str(value))

    def set(self, value: str | None) -> None:
        with self._lock:
            self._value = value

    def clear(self) -> None:
        self.set(None)

    def get(self) -> str:
        with self._lock:
            value = self._value
        if value is None:
            value = os.environ.get(PASSWORD_ENV)
        if value is None:
            raise RouterError(
                "no RouterOS password: set it with "
                f"`pulumi config set --secret {PASSWORD_CONFIG_KEY} ...` "
                f"or the {PASSWORD_ENV} environment variable",
                kind="config",
            )
        return value

    def known_secrets(self) -> tuple[str, ...]:
        """Every password this process could use, for redaction."""
        with self._lock:
            values = (self._value, os.environ.get(PASSWORD_ENV))
        return tuple(v for v in values if v)


password_source = PasswordSource()


class _RedactLoginWords(logging.Filter):
    """librouteros logs every word it sends at DEBUG, the login's `=password=` included."""

    _word = re.compile(r"=password=.*", re.DOTALL)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(self._word.sub("=password=<redacted>'", message),
                         password_source.known_secrets())
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_redaction_installed = False
_redaction_lock = threading.Lock()


def _install_log_redaction() -> None:
    global _redaction_installed
    with _redaction_lock:
        if not _redaction_installed:
            logging.getLogger("librouteros").addFilter(_RedactLoginWords())
            _redaction_installed = True


@dataclass
class Reply:
    """One command's answer: the `!re` items and the `ret` of `!done`."""

    rows: list[dict[str, str]] = field(default_factory=list)
    ret: str | None = None


def _word(key: str, value: Any) -> str:
    if isinstance(value, bool):
        value = "yes" if value else "no"
    return f"={key}={value}"


def _api_name(key: str) -> str:
    """Python keyword spelling to RouterOS spelling: `dst_port` → `dst-port` (`.id` stays)."""
    return key if key.startswith((".", "!")) else key.replace("_", "-")


def _parse_version(text: str) -> tuple[int, int, int]:
    numbers = [int(n) for n in re.findall(r"\d+", text.split(" ")[0])[:3]]
    while len(numbers) < 3:
        numbers.append(0)
    return (numbers[0], numbers[1], numbers[2])


class RouterClient:
    """One router, one connection, one call at a time. Obtain it with `client_for(settings)`.

    Property names may be given in Python spelling (`dst_port=...`) or RouterOS spelling
    (`**{"dst-port": ...}`); values go out as strings (booleans as `yes`/`no`).
    """

    def __init__(self, settings: RouterSettings) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        self._api: Api | None = None
        self._version: tuple[int, int, int] | None = None
        # The router's uptime when the version was read: a smaller one later means it restarted.
        self._uptime: float | None = None
        self._version_text: str | None = None
        self._unreachable_at: float | None = None
        self._snapshots: dict[str, tuple[float, list[dict[str, str]]]] = {}
        self._identities: dict[str, _Identities] = {}
        self._names_itself: set[str] = set()
        self._drops = 0  # connections dropped so far: an index never survives one

    # -- the public calls --------------------------------------------------------------------

    def print(self, path: str, proplist: Iterable[str] | None = None, **query: Any) -> list[dict]:
        """`print` with an optional proplist and equality queries (`chain="dstnat"`)."""
        words = []
        if proplist is not None:
            words.append(_word(".proplist", ",".join(proplist)))
        words += [f"?{_api_name(k)}={_plain(v)}" for k, v in query.items()]
        return self._call(path, "print", words, idempotent=True).rows

    def snapshot(self, path: str) -> list[dict[str, str]]:
        """Every item of `path`, from one bulk `print` shared until a write to it or an expiry."""
        path = _norm_path(path)
        with self._lock:
            cached = self._snapshots.get(path)
            if cached and self._api is not None and _peer_closed(self._api):
                # Closed while idle, maybe by a reboot (new `.id`s): nothing read on it stands.
                self._drop()
                cached = None
            if cached and time.monotonic() - cached[0] < SNAPSHOT_MAX_AGE:
                return [dict(row) for row in cached[1]]
            taken_at = time.monotonic()  # before the print: what it shows is at least this new
            rows = self.print(path)
            self._snapshots[path] = (taken_at, rows)
            self._identities[path] = _Identities.of(taken_at, rows)
            return [dict(row) for row in rows]

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
        with self._lock:
            index = self._identities.get(path)
            if index is not None and self._api is not None and _peer_closed(self._api):
                self._drop()  # as in `snapshot`: a reboot gives every item a new `.id`
                index = None
            if names_itself:
                self._names_itself.add(path)
            if index is None or time.monotonic() - index.taken_at >= SNAPSHOT_MAX_AGE:
                self._snapshots.pop(path, None)  # a fresh print builds both
                self.snapshot(path)
                index = self._identities[path]
            return index.rows()

    def forget_snapshots(self) -> None:
        with self._lock:
            self._snapshots.clear()
            self._identities.clear()

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
        """The router's RouterOS version, read once per connection from `/system/resource`."""
        with self._lock:
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
        with self._lock:
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

    def close(self) -> None:
        with self._lock:
            self._drop()

    # -- internals ---------------------------------------------------------------------------

    @staticmethod
    def _props(props: Mapping[str, Any]) -> list[str]:
        return [_word(_api_name(k), v) for k, v in props.items() if v is not None]

    def _call(self, path: str, verb: str, words: list[str], *, idempotent: bool) -> Reply:
        path = _norm_path(path)
        command = f"{path}/{verb}"
        with self._lock:
            if verb == "print":
                return self._exchange(path, verb, command, words, idempotent=idempotent)
            self._snapshots.pop(path, None)
            index = self._identities.pop(path, None)
            if verb not in _ACCOUNTED:
                # `run` and the like: a script may write to any path.
                self._identities.clear()
            drops = self._drops
            reply = self._exchange(path, verb, command, words, idempotent=idempotent)
            # Only a write that succeeded on the same connection, and that we can account for,
            # keeps the index: a failed `add` may still have been applied, and a dropped
            # connection may have been a reboot (new `.id`s).
            if (index is not None and drops == self._drops
                    and index.apply(verb, words, reply.ret,
                                    names_itself=path in self._names_itself)):
                self._identities[path] = index
            return reply

    def _exchange(self, path: str, verb: str, command: str, words: list[str], *,
                  idempotent: bool) -> Reply:
        attempts = 2 if idempotent else 1
        for attempt in range(attempts):
            uptime = self._uptime
            api = self._connection()
            try:
                with map_exceptions(path=path, command=verb,
                                    secrets=password_source.known_secrets()):
                    return _exchange(api, command, words, path=path, verb=verb)
            except RouterError as exc:
                if exc.kind != "connection":
                    raise
                self._drop()
                if attempt + 1 >= attempts:
                    raise
                if _names_items(words) and self._restarted(since_uptime=uptime):
                    # A restart renumbers `.id`s: the same words could now reach another item.
                    raise RouterError(
                        f"the router restarted while {command} was on its way; it was not "
                        "repeated because item ids change on a restart: run again",
                        path=path, command=verb, kind="connection") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _restarted(self, *, since_uptime: float | None) -> bool:
        """Whether the router's uptime went back since it was `since_uptime` (one read)."""
        if since_uptime is None:
            return False
        self.version  # noqa: B018 - reconnects and reads version and uptime afresh
        return self._uptime is not None and self._uptime < since_uptime

    def _connection(self) -> Api:
        if self._api is None:
            _install_log_redaction()
            password = password_source.get()
            settings = self.settings
            with map_exceptions(path=settings.label, command="login",
                                secrets=(password, *password_source.known_secrets()),
                                trap_kind="login"):
                self._api = librouteros.connect(
                    settings.host,
                    settings.username,
                    password,
                    port=settings.port,
                    timeout=settings.timeout,
                    ssl_wrapper=_ssl_wrapper(settings),
                )
        return self._api

    def _drop(self) -> None:
        api, self._api = self._api, None
        self._version = None
        self._snapshots.clear()
        self._identities.clear()
        self._drops += 1
        if api is not None:
            with contextlib.suppress(OSError):
                api.close()


def _names_items(words: Iterable[str]) -> bool:
    return any(word.startswith(("=.id=", "=numbers=", "=destination=")) for word in words)


def _seconds_or_none(value: Any) -> float | None:
    try:
        return duration_seconds(value)
    except ValueError:
        return None


def _norm_path(path: str) -> str:
    return "/" + path.strip("/")


# The verbs whose effect on a path's identities `_Identities.apply` can work out from the words.
_ACCOUNTED = frozenset({"add", "set", "remove", "move"})
_IDENTITY_KEYS = ("comment", "name")


@dataclass
class _Identities:
    """One path's `.id` → {comment, name} (the keys the item has), as of a bulk `print` plus our
    own writes since. `apply` says whether a write could be accounted for; if not, it is dropped.
    """

    taken_at: float
    items: dict[str, dict[str, str]]

    @classmethod
    def of(cls, taken_at: float, rows: list[dict[str, str]]) -> _Identities:
        return cls(taken_at, {row[".id"]: {k: row[k] for k in _IDENTITY_KEYS if k in row}
                              for row in rows if ".id" in row})

    def rows(self) -> list[dict[str, str]]:
        return [{".id": id_, **known} for id_, known in self.items.items()]

    def apply(self, verb: str, words: list[str], ret: str | None, *, names_itself: bool) -> bool:
        attrs = dict(_split(word) for word in words if word.startswith("="))
        touched = [k for k in attrs if k.lstrip("!") in _IDENTITY_KEYS]
        ids = [i for i in attrs.get(".id", "").split(",") if i]
        if verb == "move":
            return True
        if verb == "add":
            if not ret or ret in self.items or "copy-from" in attrs:
                return False
            if names_itself and "name" not in attrs:
                return False  # the router picked a name we do not know
            self.items[ret] = {k: attrs[k] for k in _IDENTITY_KEYS if k in attrs}
            return True
        if verb == "remove":
            if not ids or any(i not in self.items for i in ids):
                return False  # a name for an `.id`, or an item we never saw
            for i in ids:
                del self.items[i]
            return True
        if verb == "set":
            if not touched:
                return True
            if not ids or any(i not in self.items for i in ids):
                return False
            for i in ids:
                for key in touched:
                    if key.startswith("!"):
                        self.items[i].pop(key[1:], None)
                    else:
                        self.items[i][key] = attrs[key]
            return True
        return False


def _peer_closed(api: Api) -> bool:
    """Whether the router closed an idle connection (a reboot ends every API session). Between
    commands the router sends nothing, so anything to read — the end of the stream — means the
    session is over; a connection we cannot inspect counts as open."""
    sock = getattr(getattr(api.protocol, "transport", None), "sock", None)
    if sock is None:
        return False
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _exchange(api: Api, command: str, words: list[str], *, path: str, verb: str) -> Reply:
    """Send one sentence and read to `!done`, keeping every value as the router's string."""
    api.protocol.writeSentence(command, *words)
    reply = Reply()
    traps: list[dict[str, str]] = []
    while True:
        kind, raw = api.protocol.readSentence()
        attrs = dict(_split(word) for word in raw if word.startswith("="))
        if kind == "!re":
            reply.rows.append(attrs)
        elif kind == "!trap":
            traps.append(attrs)
        elif kind == "!done":
            reply.ret = attrs.get("ret")
            break
        # `!empty` (7.18+) and anything unknown carry nothing we need.
    if traps:
        first = traps[0]
        message = "; ".join(t.get("message", "unknown error") for t in traps)
        raise RouterError(message, category=_int_or_none(first.get("category")),
                          path=path, command=verb)
    return reply


def _split(word: str) -> tuple[str, str]:
    _, key, value = word.split("=", 2)
    return key, value


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _ssl_wrapper(settings: RouterSettings):  # type: ignore[no-untyped-def]
    if not settings.tls:
        return None
    if settings.verify_tls:
        context = ssl.create_default_context(cafile=settings.ca_file)
    else:
        # An explicit opt-out for routers with their factory self-signed certificate.
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return functools.partial(context.wrap_socket, server_hostname=settings.host)


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
