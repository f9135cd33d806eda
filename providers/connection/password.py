"""The router password: read at `configure` from stack config, with the environment as fallback.

The password is never a setting, an input or an output. `password_source` holds what `configure`
read (`routeros:password`, decrypted by the engine), falls back to `ROUTEROS_PASSWORD`, and
names every secret it knows so errors and librouteros' debug log can be redacted.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from typing import Any

from providers.errors import RouterError, redact

PASSWORD_CONFIG_KEY = "routeros:password"  # noqa: S105 - a key, not a secret
PASSWORD_ENV = "ROUTEROS_PASSWORD"  # noqa: S105 - a variable name


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
        source = f"`{PASSWORD_CONFIG_KEY}`"
        if value is None:
            value, source = os.environ.get(PASSWORD_ENV), PASSWORD_ENV
        if value is None:
            raise RouterError(
                "no RouterOS password: set it with "
                f"`pulumi config set --secret {PASSWORD_CONFIG_KEY} ...` "
                f"or the {PASSWORD_ENV} environment variable",
                kind="config",
            )
        if not value.isascii():
            # librouteros sends the login as ASCII; say so instead of a UnicodeEncodeError.
            raise RouterError(f"the RouterOS password in {source} has non-ASCII characters; "
                              "the API login takes ASCII only", kind="config")
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


def install_log_redaction() -> None:
    """Keep passwords out of librouteros' debug log (idempotent)."""
    global _redaction_installed
    with _redaction_lock:
        if not _redaction_installed:
            logging.getLogger("librouteros").addFilter(_RedactLoginWords())
            _redaction_installed = True
