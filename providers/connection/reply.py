"""Reading the router's replies as its own strings, and translating librouteros' errors.

`StringApi` is the `librouteros.Api` subclass our connections are made with
(`connect(..., subclass=StringApi)`): it parses words without librouteros' value casting
(`yes` → True, digits → int), so a comment `"yes"` or a source `"007"` survives unchanged, and
keeps the `ret` of `!done` apart from the rows. `map_exceptions` turns everything librouteros
and the socket raise into `RouterError`, with any secret redacted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from librouteros.api import Api
from librouteros.exceptions import (
    ConnectionClosed,
    FatalError,
    LibRouterosError,
    MultiTrapError,
    TrapError,
)

from providers.errors import Kind, RouterError, redact

# One character per byte, both ways: nothing the router holds is dropped or fails to decode
# (librouteros' default, ASCII with errors ignored, drops every non-ASCII byte), and what was read
# goes back as the same bytes (the e-mail settings restored at delete). What the providers write
# from a program's inputs is ASCII: check refuses anything else, and so does create.
ENCODING = "latin-1"


@dataclass
class Reply:
    """One command's answer: the `!re` items and the `ret` of `!done`."""

    rows: list[dict[str, str]] = field(default_factory=list)
    ret: str | None = None


def split_word(word: str) -> tuple[str, str]:
    """`=key=value` → (key, value); the value may hold `=`."""
    _, key, value = word.split("=", 2)
    return key, value


class StringApi(Api):
    """librouteros' `Api`, reading attribute values as the router's strings."""

    def readSentence(self) -> tuple[str, dict[str, str]]:  # noqa: N802 - overrides librouteros
        reply_word, words = self.protocol.readSentence()
        return reply_word, dict(split_word(word) for word in words if word.startswith("="))

    def ask(self, command: str, words: Iterable[str]) -> Reply:
        """Send one sentence, read to `!done`. Raises librouteros' `TrapError` /
        `MultiTrapError` for `!trap`, as `Api.readResponse` does."""
        self.protocol.writeSentence(command, *words)
        reply = Reply()
        traps: list[TrapError] = []
        while True:
            kind, attrs = self.readSentence()
            if kind == "!re":
                reply.rows.append(attrs)
            elif kind == "!trap":
                traps.append(TrapError(message=attrs.get("message", "unknown error"),
                                       category=attrs.get("category")))
            elif kind == "!done":
                reply.ret = attrs.get("ret")
                break
            # `!empty` (7.18+) and anything unknown carry nothing we need.
        if len(traps) > 1:
            raise MultiTrapError(*traps)
        if traps:
            raise traps[0]
        return reply


def _category(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


@contextmanager
def map_exceptions(
    *,
    path: str | None = None,
    command: str | None = None,
    secrets: Iterable[str] = (),
    trap_kind: Kind = "trap",
) -> Iterator[None]:
    """Translate librouteros and socket errors raised inside the block into `RouterError`.

    `trap_kind` lets the login step call a trap what it is (`login`).
    """
    secrets = tuple(secrets)

    def fail(message: str, kind: Kind, category: int | None = None) -> RouterError:
        return RouterError(
            redact(message, secrets), category=category, path=path, command=command, kind=kind
        )

    try:
        yield
    except RouterError as exc:
        cleaned = redact(exc.message, secrets)
        if cleaned != exc.message:
            exc.message = cleaned
            exc.args = (cleaned,)
        raise
    except TrapError as exc:
        raise fail(exc.message, trap_kind, _category(exc.category)) from None
    except MultiTrapError as exc:
        first = exc.traps[0] if exc.traps else None
        category = _category(first.category) if first else None
        raise fail("; ".join(t.message for t in exc.traps), trap_kind, category) from None
    except FatalError as exc:
        raise fail(f"router closed the session: {exc}", "connection") from None
    except ConnectionClosed as exc:
        raise fail(f"connection closed: {exc}", "connection") from None
    except TimeoutError:
        raise fail("timed out waiting for the router", "connection") from None
    except UnicodeError as exc:
        # A host name the resolver cannot encode (IDNA), or text that is not ASCII.
        raise fail(f"cannot encode for the router: {exc}", "input") from None
    except OSError as exc:
        raise fail(f"connection failed: {exc.strerror or exc}", "connection") from None
    except LibRouterosError as exc:
        raise fail(f"protocol error: {exc}", "protocol") from None
