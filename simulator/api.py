"""The simulated router's call surface: one request in, one response or one error out.

Everything that talks to the router model goes through `Router.call(Request) -> Response`:
the API session (after decoding sentences), the script interpreter (after parsing a script
line), and tests that poke the model in-process. Nothing here knows about bytes or sockets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class Category(IntEnum):
    """`!trap` categories as RouterOS numbers them."""

    MISSING_ITEM_OR_COMMAND = 0
    ARGUMENT_VALUE = 1
    INTERRUPTED = 2
    SCRIPT_FAILURE = 3
    GENERAL_FAILURE = 4
    API_FAILURE = 5
    TTY_FAILURE = 6
    RETURN_VALUE = 7


class CommandError(Exception):
    """A command the router refuses: becomes `!trap =message=... [=category=N]` then `!done`."""

    def __init__(self, message: str, category: Category | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.category = category


ALL_POLICIES = frozenset(
    {"ftp", "reboot", "read", "write", "policy", "test", "password", "sniff", "sensitive", "romon"}
)


@dataclass(frozen=True)
class Request:
    """A decoded command.

    `command` is the full slash path, e.g. `/ip/firewall/mangle/add`.
    `attributes` are the `=name=value` words without the leading `=` (so `.id`, `.proplist`,
    `!comment` for an unset all appear as keys). `queries` are the raw `?...` words in order.
    `policies` are what the caller may do (an API user has all; a netwatch script has fewer).
    """

    command: str
    attributes: dict[str, str] = field(default_factory=dict)
    queries: tuple[str, ...] = ()
    user: str = "admin"
    policies: frozenset[str] = ALL_POLICIES

    @property
    def path(self) -> str:
        return self.command.rsplit("/", 1)[0] or "/"

    @property
    def verb(self) -> str:
        return self.command.rsplit("/", 1)[1]


@dataclass
class Response:
    """What a successful command answers: `!re` items in order, then `!done` with optional `ret`."""

    items: list[dict[str, str]] = field(default_factory=list)
    ret: str | None = None
