"""One API session, sans-IO: bytes from the client in, reply sentences out.

`Session.receive_data(bytes)` decodes sentences, handles what belongs to the connection (login,
tags, `/cancel`, `/quit`, `!empty`, `listen`) and hands every other command to `Router.call` as
an `api.Request`. Replies queue as batches of encoded sentences, one batch per answer, which the
server takes with `take_output()` and writes (a batch is the unit that fault latency delays).
`closing` turns true when the connection must close once the queued output is written.

It knows the router only through `call`, `lock`, `stats`, `profile`, `users`, `menus`,
`first_unknown_word`, `on_change` and `clock`, and nothing of sockets, threads or asyncio:
`listen` updates may arrive from whichever thread changed the router, so the output queue has
its own lock and `wakeup` tells the server.

It bounds what one client costs (docs/simulator-internals.md, "Limits"): small sentences until
login, a login deadline on the router's clock, and the bytes of unread replies — past
`OUTPUT_HIGH` it handles no more commands (`reading_paused`; the server then stops reading),
past `OUTPUT_LIMIT` it `abort`s the connection.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from simulator.api import Category, CommandError, Request, Response
from simulator.faults import Faults
from simulator.wire import (
    MAX_SENTENCE,
    MAX_WORD,
    MAX_WORDS,
    SentenceReader,
    WireError,
    encode_sentence,
)

log = logging.getLogger(__name__)

# RouterOS's own texts for these replies.
LOGIN_FAILED = "invalid user name or password (6)"
LEGACY_LOGIN_FAILED = "cannot log in"
QUIT = "session terminated on request"
# An unknown path or verb answers two traps, this one after `no such command or directory (w)`
# (librouteros raises them together as a MultiTrapError, whose text joins them: captures in
# home-assistant/core#68115 and akpw/mktxp#244). `Router.call` raises only the first, which is
# what the script interpreter reports.
UNKNOWN_COMMAND = "no such command or directory ("
NO_SUCH_PREFIX = "no such command prefix"
INTERRUPTED = "interrupted"
# Assumed: the API answers any command before a successful login with `!fatal not logged in` and
# closes, as recent RouterOS versions do; no capture in our references shows older behaviour.
NOT_LOGGED_IN = "not logged in"
# RouterOS closes the connection after repeated login failures; three is our choice of "repeated".
MAX_FAILED_LOGINS = 3

PRINT_VERBS = frozenset({"print", "getall"})

# Before login a client may send only what a login needs: `/login`, name, password (or the
# legacy response), a tag. Anything bigger, or with more words, ends the session [decided: the
# caps are ours; RouterOS documents none, and a router must not buffer for strangers].
PRELOGIN_MAX_WORDS = 8
PRELOGIN_MAX_BYTES = 4096
# A session that has not logged in after this many (virtual-clock) seconds is closed
# [decided: RouterOS closes idle unauthenticated API connections; its timeout is not documented].
LOGIN_TIMEOUT = 60.0
LOGIN_TIMED_OUT = "login timeout"
# Output queued for a client that does not read. Past `OUTPUT_HIGH` the server stops reading the
# client's commands (backpressure); past `OUTPUT_LIMIT` (only `listen` updates, which arrive
# whatever the client sends, can get there) the session is dropped.
OUTPUT_HIGH = 1 << 20
OUTPUT_LIMIT = 16 << 20


@dataclass
class _Listen:
    """A `listen` that stays open, streaming `!re` for each change under `path`."""

    tag: str | None
    path: str
    seen: dict[str, dict[str, str]] = field(default_factory=dict)


class Session:
    def __init__(
        self,
        router: Any,
        faults: Faults | None = None,
        *,
        wakeup: Callable[[], None] | None = None,
        abort: Callable[[], None] | None = None,
    ) -> None:
        self.router = router
        self.faults = faults if faults is not None else Faults()
        self.wakeup = wakeup
        # Ends the connection at once, from any thread: for a client whose unread output
        # passed `OUTPUT_LIMIT`, to which nothing more can be written.
        self.abort = abort
        self.user: str | None = None
        self.closing = False
        self._reader = SentenceReader(
            max_word=PRELOGIN_MAX_BYTES, max_sentence=PRELOGIN_MAX_BYTES,
            max_words=PRELOGIN_MAX_WORDS,
        )
        self._out: list[list[bytes]] = []
        self._out_lock = threading.Lock()
        self.queued_bytes = 0  # reply bytes queued and not yet taken by the server
        self.peak_queued_bytes = 0
        self._challenge: bytes | None = None
        self._failed_logins = 0
        self._listens: dict[str | None, _Listen] = {}
        self._login_timer: Any = None
        clock = getattr(router, "clock", None)
        if clock is not None:
            with router.lock:
                self._login_timer = clock.call_later(LOGIN_TIMEOUT, self._login_timed_out)

    # -- the sans-IO surface -------------------------------------------------------------

    def receive_data(self, data: bytes) -> None:
        """Feed bytes from the client; answers queue up for `take_output`."""
        if self.closing:
            return
        self._reader.feed(data)
        try:
            # Stop at the backpressure mark: the rest waits, parsed or not, until the server
            # has written enough and calls again (with no new bytes).
            while not self.reading_paused:
                sentence = self._reader.next_sentence()
                if sentence is None:
                    return
                self._handle(sentence)
                if self.closing:
                    return
        except WireError as error:
            # RouterOS would just drop such a peer; a `!fatal` naming the fault costs nothing and
            # tells whoever wrote the client what went wrong.
            self._fatal(f"malformed input: {error}")

    def take_output(self) -> list[list[bytes]]:
        """The reply batches queued since the last call, in order."""
        with self._out_lock:
            out, self._out = self._out, []
            self.queued_bytes = 0
        return out

    def take_batch(self) -> list[bytes] | None:
        """The oldest queued reply batch, or None: the server writes one at a time, so what it
        has not written yet still counts as queued here."""
        with self._out_lock:
            if not self._out:
                return None
            batch = self._out.pop(0)
            self.queued_bytes -= sum(len(sentence) for sentence in batch)
            return batch

    @property
    def reading_paused(self) -> bool:
        """The client has this much output unread: stop reading its commands until it reads."""
        return self.queued_bytes > OUTPUT_HIGH

    @property
    def has_output(self) -> bool:
        with self._out_lock:
            return bool(self._out)

    @property
    def unfinished_input(self) -> bool:
        """Part of a sentence is buffered: a client that leaves now left mid-sentence."""
        return self._reader.pending

    def connection_lost(self) -> None:
        """The connection is gone: stop every `listen`."""
        self._stop_listens(list(self._listens))
        self._cancel_login_timer()
        self.closing = True

    def _cancel_login_timer(self) -> None:
        if self._login_timer is not None:
            with self.router.lock:
                self.router.clock.cancel(self._login_timer)
            self._login_timer = None

    def _login_timed_out(self) -> None:
        # Runs on whichever thread advances the clock: `_fatal` only queues and wakes the server.
        self._login_timer = None
        if self.user is None and not self.closing:
            self._fatal(LOGIN_TIMED_OUT)

    # -- dispatch ------------------------------------------------------------------------

    def _handle(self, sentence: list[str]) -> None:
        command, words = sentence[0], sentence[1:]
        attributes, queries, tag, stray = _parse_words(words)
        if command == "/login":
            self._count(command)
            self._login(attributes, tag)
            return
        if command == "/quit":
            self._count(command)
            self._fatal(QUIT)
            return
        if self.user is None:
            self._fatal(NOT_LOGGED_IN)
            return
        if command == "/cancel":
            self._count(command)
            self._cancel(attributes.get("tag"), tag)
            return
        if stray:
            # Worded as the menus word an unknown attribute: v7 names it, v6 does not.
            named = self.router.profile.unknown_parameter_names_it
            message = f"unknown parameter {stray[0]}" if named else "unknown parameter"
            self._send_trap(tag, CommandError(message))
            return
        if not command.startswith("/"):
            self._send_trap(
                tag,
                CommandError(
                    f"no such command or directory ({command})", Category.MISSING_ITEM_OR_COMMAND
                ),
            )
            return
        injected = self.faults.next_command_trap()
        if injected is not None:
            self._send_trap(tag, injected)
            return
        request = Request(command, attributes, tuple(queries), user=self.user)
        if request.verb == "listen":
            self._listen(request, tag)
            return
        try:
            with self.router.lock:
                response = self.router.call(request)
        except CommandError as error:
            self._send_trap(tag, error)
            return
        except Exception as error:  # a simulator bug must not end the server
            # The traceback without the exception's text: that may quote a value (a password).
            log.error(
                "router.call(%s) raised %s\n%s",
                command,
                type(error).__name__,
                "".join(traceback.format_tb(error.__traceback__)),
            )
            self._send_trap(
                tag,
                CommandError(
                    f"simulator bug: {type(error).__name__} (see log)", Category.GENERAL_FAILURE
                ),
            )
            return
        self._send_response(request, response, tag)

    def _count(self, command: str) -> None:
        with self.router.lock:
            self.router.stats[command] += 1

    # -- login ---------------------------------------------------------------------------

    def _login(self, attributes: dict[str, str], tag: str | None) -> None:
        users: dict[str, str] = self.router.users
        name = attributes.get("name")
        if self.router.profile.legacy_login:
            if "response" not in attributes:
                # Before 6.43 every `/login` without a response starts the challenge, even one
                # carrying a password (old routers answered plain logins this way too).
                self._challenge = secrets.token_bytes(16)
                self._queue([_sentence("!done", tag, [("ret", self._challenge.hex())])])
                return
            challenge, self._challenge = self._challenge, None
            ok = (
                challenge is not None
                and name in users
                and hmac.compare_digest(
                    attributes["response"].encode("latin-1"),
                    _legacy_response(users[name], challenge).encode("latin-1"),
                )
            )
            failure = LEGACY_LOGIN_FAILED
        else:
            ok = (
                name in users
                and "password" in attributes
                and hmac.compare_digest(
                    attributes["password"].encode("latin-1"), users[name].encode("utf-8")
                )
            )
            failure = LOGIN_FAILED
        if ok and not self.faults.refuse_logins:
            self.user = name
            self._failed_logins = 0
            self._cancel_login_timer()
            self._reader.limit(max_word=MAX_WORD, max_sentence=MAX_SENTENCE, max_words=MAX_WORDS)
            self._queue([_sentence("!done", tag)])
            return
        self._failed_logins += 1
        self._send_trap(tag, CommandError(failure))
        if self._failed_logins >= MAX_FAILED_LOGINS:
            self.closing = True

    # -- cancel and listen ---------------------------------------------------------------

    def _cancel(self, target: str | None, tag: str | None) -> None:
        # Cancelling a tag that is not outstanding answers `!done`: a command that finished
        # while its cancel was on the way is a normal race, not the client's error.
        self._stop_listens([target] if target is not None else list(self._listens))
        self._queue([_sentence("!done", tag)])

    def _stop_listens(self, tags: Iterable[str | None]) -> None:
        with self.router.lock:  # `_on_change` reads the listens from whichever thread wrote
            self._stop_listens_locked(tags)

    def _stop_listens_locked(self, tags: Iterable[str | None]) -> None:
        for key in tags:
            listen = self._listens.pop(key, None)
            if listen is None:
                continue
            self._queue(
                [
                    _sentence(
                        "!trap",
                        listen.tag,
                        [("category", str(int(Category.INTERRUPTED))), ("message", INTERRUPTED)],
                    ),
                    _sentence("!done", listen.tag),
                ]
            )
        if not self._listens:
            self._unsubscribe()

    def _listen(self, request: Request, tag: str | None) -> None:
        listen = _Listen(tag, request.path)
        with self.router.lock:
            # A second listen under the same tag (or untagged) replaces the first, ending it.
            self._stop_listens_locked([tag])
            if request.path not in self.router.menus:
                self._send_trap(
                    tag,
                    CommandError(
                        f"no such command or directory "
                        f"({self.router.first_unknown_word(request.command)})",
                        Category.MISSING_ITEM_OR_COMMAND,
                    ),
                )
                return
            self.router.stats[request.command] += 1
            listen.seen = _snapshot(self.router, listen.path)
            self._listens[tag] = listen
            self._subscribe()

    def _subscribe(self) -> None:
        if self._on_change not in self.router.on_change:
            self.router.on_change.append(self._on_change)

    def _unsubscribe(self) -> None:
        if self._on_change in self.router.on_change:
            self.router.on_change.remove(self._on_change)

    def _on_change(self, path: str, _verb: str, _ids: list[int]) -> None:
        # Diff the menu against what was last sent rather than trusting the verb and ids: a
        # `move` or an edit through a name changes rows the ids alone would not show.
        with self.router.lock:
            for listen in list(self._listens.values()):
                if listen.path != path:
                    continue
                now = _snapshot(self.router, listen.path)
                batch = [
                    _sentence("!re", listen.tag, list(props.items()))
                    for key, props in now.items()
                    if listen.seen.get(key) != props
                ]
                batch += [
                    _sentence("!re", listen.tag, [(".id", key), (".dead", "true")])
                    for key in listen.seen
                    if key not in now
                ]
                listen.seen = now
                if batch:
                    self._queue(batch)

    # -- replies -------------------------------------------------------------------------

    def _send_response(self, request: Request, response: Response, tag: str | None) -> None:
        batch = [_sentence("!re", tag, list(item.items())) for item in response.items]
        if (
            not batch
            and request.verb in PRINT_VERBS
            and "count-only" not in request.attributes
            and self.router.profile.sends_empty
        ):
            batch.append(_sentence("!empty", tag))
        ret = [] if response.ret is None else [("ret", response.ret)]
        batch.append(_sentence("!done", tag, ret))
        self._queue(batch)

    def _send_trap(self, tag: str | None, error: CommandError) -> None:
        attrs = [("message", error.message)]
        if error.category is not None:
            attrs.insert(0, ("category", str(int(error.category))))
        batch = [_sentence("!trap", tag, attrs)]
        if error.message.startswith(UNKNOWN_COMMAND):
            batch.append(_sentence("!trap", tag, [("message", NO_SUCH_PREFIX)]))
        self._queue([*batch, _sentence("!done", tag)])

    def _fatal(self, reason: str) -> None:
        # Closing first: `_queue` wakes the server's sender, which may run on another thread
        # and must see `closing` when it finds the queue empty.
        self.closing = True
        self._queue([encode_sentence(["!fatal", reason])])

    def _queue(self, batch: list[bytes]) -> None:
        size = sum(len(sentence) for sentence in batch)
        with self._out_lock:
            overflow = self.queued_bytes > OUTPUT_LIMIT
            if overflow:
                # A client that reads nothing while `listen` updates pile up: drop it rather
                # than hold its replies without bound. It is not reading, so no `!fatal`.
                self._out = []
                self.queued_bytes = 0
                self.closing = True
            else:
                self._out.append(batch)
                self.queued_bytes += size
                self.peak_queued_bytes = max(self.peak_queued_bytes, self.queued_bytes)
        if overflow and self.abort is not None:
            self.abort()
        elif self.wakeup is not None:
            self.wakeup()


def _parse_words(
    words: list[str],
) -> tuple[dict[str, str], list[str], str | None, list[str]]:
    """Split a command's words into attributes, queries, its tag and words of no known form."""
    attributes: dict[str, str] = {}
    queries: list[str] = []
    tag: str | None = None
    stray: list[str] = []
    for word in words:
        if word.startswith("="):
            # `=name=value`: the value may itself contain `=` or be empty; `=name` alone is empty.
            name, _, value = word[1:].partition("=")
            attributes[name] = value
        elif word.startswith("?"):
            queries.append(word)
        elif word.startswith(".tag="):
            tag = word[len(".tag=") :]
        elif word.startswith(".proplist="):
            attributes[".proplist"] = word[len(".proplist=") :]
        else:
            stray.append(word)
    return attributes, queries, tag, stray


def _sentence(reply: str, tag: str | None, attributes: Iterable[tuple[str, str]] = ()) -> bytes:
    words = [reply]
    if tag is not None:
        words.append(f".tag={tag}")
    words += [f"={key}={value}" for key, value in attributes]
    return encode_sentence(words)


def _legacy_response(password: str, challenge: bytes) -> str:
    digest = hashlib.md5(b"\x00" + password.encode("utf-8") + challenge, usedforsecurity=False)
    return "00" + digest.hexdigest()


def _snapshot(router: Any, path: str) -> dict[str, dict[str, str]]:
    """A menu's rows as print shows them, keyed by `.id` (a singleton's one row by "")."""
    menu = router.menus[path]
    items = getattr(menu, "items", None)
    if items is None:
        return {"": menu.printed(router)}
    return {item.printed_id: menu.printed(router, item) for item in items}
