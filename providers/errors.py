"""The one exception type of the router boundary, and the translation of librouteros errors into it.

Everything the providers see from a router — a `!trap`, a `!fatal`, a dropped socket, a refused
login, a missing password — arrives as `RouterError`. Its text never carries a password: the
translation redacts any secret it is given, and nothing here ever formats a login sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Literal

from librouteros.exceptions import (
    ConnectionClosed,
    FatalError,
    LibRouterosError,
    MultiTrapError,
    TrapError,
)

Kind = Literal["trap", "connection", "login", "protocol", "config", "version"]

REDACTED = "<redacted>"


class RouterError(Exception):
    """A router refused a command, or could not be reached.

    `message` is the router's own text (or what went wrong on the wire), `category` the `!trap`
    category number when the router sent one, `path` and `command` what was asked
    (`/ip/firewall/nat`, `add`), `kind` what sort of failure it is.
    """

    def __init__(
        self,
        message: str,
        *,
        category: int | None = None,
        path: str | None = None,
        command: str | None = None,
        kind: Kind = "trap",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.category = category
        self.path = path
        self.command = command
        self.kind = kind

    def __str__(self) -> str:
        where = f"{self.path}/{self.command}" if self.path and self.command else self.path or ""
        category = f" (category {self.category})" if self.category is not None else ""
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.message}{category}"

    @property
    def is_missing_item(self) -> bool:
        """The router does not know the item: `no such item` (already deleted, or never existed)."""
        return self.kind == "trap" and self.message.startswith("no such item")

    @property
    def is_connection(self) -> bool:
        return self.kind == "connection"


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


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
        raise fail(str(exc), trap_kind, category) from None
    except FatalError as exc:
        raise fail(f"router closed the session: {exc}", "connection") from None
    except ConnectionClosed as exc:
        raise fail(f"connection closed: {exc}", "connection") from None
    except TimeoutError:
        raise fail("timed out waiting for the router", "connection") from None
    except OSError as exc:
        raise fail(f"connection failed: {exc.strerror or exc}", "connection") from None
    except LibRouterosError as exc:
        raise fail(f"protocol error: {exc}", "protocol") from None
