"""`SiteSpec`: the one model of a stack's whole config (`routeros:*`, `routeros-lb:*`).

The router to talk to and the site-wide settings are defined here; the load balancers' services
are the balancer's own input models (`balancer.spec`), composed as they are, so every rule about a
service is written once. Pure: pydantic and the standard library.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, field_validator, model_validator

from balancer.spec import Mailbox, ServiceSpec, SiteName, Slug, Spec

_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# Whole strings only (fullmatch): `$` would let a trailing newline through.
_HOSTNAME = re.compile(rf"(?=.{{1,253}}\Z){_LABEL}(\.{_LABEL})*")
_USER_NAME = re.compile(r"[\x21-\x7e]+")
_VERSION = re.compile(r"^[67](\.\d{1,2}){0,2}$")

DEFAULT_ROUTER_VERSION = "7"


def _host(value: str) -> str:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        # All digits and dots is a mistyped address (`1.10`), not a name.
        if not _HOSTNAME.fullmatch(value) or value.replace(".", "").isdigit():
            raise ValueError("must be an IP address or a host name") from None
    return value


def _routeros_version(value: str) -> str:
    if not _VERSION.fullmatch(value):
        raise ValueError("must be a RouterOS version such as 6.49 or 7.20 (6 or 7, then up to "
                         "two numbers)")
    return value


Host = Annotated[str, AfterValidator(_host)]
Port = Annotated[int, Field(ge=1, le=65535)]
RouterosVersion = Annotated[str, AfterValidator(_routeros_version)]


class _ScalarsAsText(Spec):
    # The engine hands the program every scalar as the text the user wrote (`8728`, `7.20`).
    model_config = ConfigDict(coerce_numbers_to_str=True)


class RouterSpec(_ScalarsAsText):
    """How to reach the router. The password is deliberately absent: it comes from a secret."""

    host: Host
    port: Port | None = None
    tls: bool = False
    ca_file: str | None = Field(default=None, alias="caFile", min_length=1)
    verify_tls: bool = Field(default=True, alias="verifyTls")
    username: str = Field(default="admin", min_length=1)
    # The RouterOS version the router runs (`6.49`, `7.20`): the plan is made for it before
    # anything is connected (v6 netwatch only pings; v7 probes tcp and http). Unset: v7.
    version: RouterosVersion = DEFAULT_ROUTER_VERSION

    @property
    def effective_port(self) -> int:
        return self.port or (8729 if self.tls else 8728)

    @field_validator("username")
    @classmethod
    def _username_is_ascii(cls, value: str) -> str:
        if not _USER_NAME.fullmatch(value):
            raise ValueError("must be printable ASCII without spaces (the API login is ASCII)")
        return value


class EmailSpec(_ScalarsAsText):
    """The router's SMTP settings (site level) and who gets told when a server fails."""

    server: Host
    port: Port = 25
    from_: Mailbox = Field(alias="from")
    to: list[Mailbox] = Field(min_length=1)
    tls: Literal["no", "yes", "starttls"] = "no"
    user: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_recipient_may_be_a_string(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("to"), str):
            return {**data, "to": [data["to"]]}
        return data


class SiteSpec(_ScalarsAsText):
    """The whole stack config: `router` from `routeros:*`, the rest from `routeros-lb:*`."""

    router: RouterSpec
    email: EmailSpec | None = None
    # `routeros-lb:site`: the name in ownership tags; None means the stack's name.
    site: SiteName | None = None
    services: dict[Slug, ServiceSpec] = {}
