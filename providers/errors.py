"""The exceptions of the providers' boundary: everything a provider raises is a `ProviderError`.

`RouterError` is what a router answered (a `!trap`, a `!fatal`, a dropped socket, a refused
login, a missing password) or what we refused to send it; `ChainOrderError` and
`move_plan.MovePlanError` are an order that cannot be applied. Pulumi shows the message as it is,
so each one says what to fix. Texts never carry a password: `redact` is applied wherever a secret
could reach one. Pure: no librouteros here (its errors are translated in
`providers.connection.reply`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

Kind = Literal["trap", "connection", "login", "protocol", "config", "version", "input"]

REDACTED = "<redacted>"


class ProviderError(Exception):
    """The root of every error the providers raise on purpose."""


class RouterError(ProviderError):
    """A router refused a command, could not be reached, or was not asked because the input
    could not be sent.

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


# Where a value we sent stands in a text: after the `=` of an API word (`=password=<it>`), or
# inside quotes (how Python prints a word or a string); and up to the end of that word.
_VALUE_BEFORE = r"(?:(?<==)|(?<=[\'\"])|^)"
_VALUE_AFTER = r"(?=$|[\s'\",)\]])"


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with each secret replaced where it stands as a value we sent: the value of an API
    word (`=password=<secret>`), a quoted value (`'<secret>'`, as a word or string is printed,
    escapes included), or the whole text. Prose that happens to hold the secret's text is left
    alone: with the password `password`, the router's "invalid user name or password" says
    nothing about it, and redacting the word there would only hide the router's message."""
    for secret in secrets:
        if not secret:
            continue
        printed = (repr(secret)[1:-1], secret.replace("\\", "\\\\").replace("'", "\\'"),
                   repr(secret.encode(errors="replace"))[2:-1])
        for form in sorted({secret, *printed}, key=len, reverse=True):
            text = re.sub(_VALUE_BEFORE + re.escape(form) + _VALUE_AFTER, REDACTED, text)
    return text
