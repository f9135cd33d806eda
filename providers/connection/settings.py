"""Where a router is and how to reach it: `RouterSettings`, a resource's `router` input.

Frozen and hashable (one client per distinct settings), and without a password, ever. Every field
is checked here so that nothing unusable reaches a socket: a host that is neither an address nor a
name, a username the API cannot carry, TLS options on a plain connection.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from providers.errors import RouterError

API_PORT = 8728
API_SSL_PORT = 8729

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_NAME = re.compile(rf"(?=.{{1,253}}\Z){_LABEL}(?:\.{_LABEL})*\.?")
# The API carries words as bytes and librouteros logs in with ASCII only.
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]+")


class RouterSettingsError(RouterError, ValueError):
    """A `router` input that is not valid settings. Also a `ValueError`, as pydantic's
    validation error was before: checks written against that keep catching it."""


class RouterSettings(BaseModel):
    """Where a router is and how to reach it. Frozen and hashable; it has no password, ever."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(min_length=1)
    port: int = Field(default=0, ge=0, le=65535, description="0 picks 8728, or 8729 with TLS")
    tls: bool = False
    verify_tls: bool = True
    ca_file: str | None = None
    username: str = Field(default="admin", min_length=1)
    timeout: float = Field(default=10.0, gt=0, le=3600)

    @field_validator("host")
    @classmethod
    def _address_or_name(cls, value: str) -> str:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            if not _HOST_NAME.fullmatch(value) or value.replace(".", "").isdigit():
                raise ValueError(f"{value!r} is neither an IP address nor a host name") from None
        return value

    @field_validator("username")
    @classmethod
    def _ascii_name(cls, value: str) -> str:
        if not _PRINTABLE_ASCII.fullmatch(value):
            raise ValueError(f"{value!r}: a RouterOS user name is printable ASCII without spaces")
        return value

    @model_validator(mode="after")
    def _tls_options_need_tls(self) -> RouterSettings:
        if not self.tls:
            # Refused rather than implied: TLS changes the default port, which is the router's
            # identity (a new port replaces every object), so it has to be asked for.
            if self.ca_file is not None:
                raise ValueError("ca_file is set but tls is false: set tls true (API-SSL)")
            if not self.verify_tls:
                raise ValueError("verify_tls is false but tls is false: set tls true (API-SSL)")
        if self.port == 0:
            object.__setattr__(self, "port", API_SSL_PORT if self.tls else API_PORT)
        return self

    @classmethod
    def from_inputs(cls, value: Mapping[str, Any] | RouterSettings) -> RouterSettings:
        """Settings from a resource's `router` input (a dict in Pulumi's property bag).

        Raises `RouterSettingsError` (kind `input`) naming each wrong field."""
        if isinstance(value, RouterSettings):
            return value
        if not isinstance(value, Mapping):
            raise RouterSettingsError(
                f"router settings must be a mapping of {', '.join(cls.model_fields)}, not "
                f"{type(value).__name__}", kind="input")
        try:
            return cls.model_validate({k: v for k, v in value.items() if v is not None})
        except ValidationError as exc:
            raise RouterSettingsError(describe(exc), kind="input") from None

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


def describe(error: ValidationError) -> str:
    """One line per wrong field: `router.port: Input should be ...`."""
    parts = []
    for item in error.errors():
        where = ".".join(str(part) for part in ("router", *item["loc"]))
        parts.append(f"{where}: {str(item['msg']).removeprefix('Value error, ')}")
    return "; ".join(parts)
