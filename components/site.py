"""A site's configuration as a validated model: the router to talk to and the site-wide settings.

Stack config (`Pulumi.<stack>.yaml`) is read into `SiteSpec`; every error names the config key a
person has to fix (`routeros:port`, `routeros-lb:email.port`) and what is allowed, before anything
touches the router. Pure: no Pulumi engine, no providers, no I/O.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from balancer.spec import (
    SERVICES_KEY,
    SITE_KEY,
    SITE_NAME,
    LbSite,
    ServiceSpec,
    Slug,
    services_key,
)

_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")
_MAILBOX = re.compile(r"^[^@\s\"<>]+@[^@\s\"<>]+$")


def _host(value: str) -> str:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        if not _HOSTNAME.match(value):
            raise ValueError("must be an IP address or a host name") from None
    return value


def _mailbox(value: str) -> str:
    if not _MAILBOX.match(value):
        raise ValueError("must be an e-mail address such as admin@example.com") from None
    return value


Host = Annotated[str, AfterValidator(_host)]
Mailbox = Annotated[str, AfterValidator(_mailbox)]
Port = Annotated[int, Field(ge=1, le=65535)]


class _Spec(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, coerce_numbers_to_str=True
    )


class RouterSpec(_Spec):
    """How to reach the router. The password is deliberately absent: it comes from a secret."""

    host: Host
    port: Port | None = None
    tls: bool = False
    ca_file: str | None = Field(default=None, alias="caFile")
    verify_tls: bool = Field(default=True, alias="verifyTls")
    username: str = Field(default="admin", min_length=1)

    @property
    def effective_port(self) -> int:
        return self.port or (8729 if self.tls else 8728)


class EmailSpec(_Spec):
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


class SiteSpec(_Spec):
    router: RouterSpec
    email: EmailSpec | None = None
    # `routeros-lb:site`: the name in ownership tags; None means the stack's name.
    site: Annotated[str, Field(pattern=SITE_NAME.pattern)] | None = None
    services: dict[Slug, ServiceSpec] = {}


class SiteConfigError(ValueError):
    """Stack config that cannot be used; `problems` pairs each config key with what is wrong."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {key}: {reason}" for key, reason in problems)
        super().__init__(f"the stack configuration is not valid:\n{lines}")


ROUTER_KEYS = {
    "host": "routeros:host",
    "port": "routeros:port",
    "tls": "routeros:tls",
    "caFile": "routeros:caFile",
    "verifyTls": "routeros:verifyTls",
    "username": "routeros:username",
}
EMAIL_KEY = "routeros-lb:email"
# Secrets are read where they are used, never into a spec: the router password by the providers,
# the SMTP password by the site component.
SECRET_KEYS = ("routeros:password", "routeros-lb:smtpPassword")
KNOWN_KEYS = frozenset((*ROUTER_KEYS.values(), EMAIL_KEY, SITE_KEY, SERVICES_KEY, *SECRET_KEYS))
NAMESPACES = ("routeros:", "routeros-lb:")


def _config_key(loc: tuple[int | str, ...]) -> str:
    section, *rest = loc
    if section == "router" and rest:
        name = str(rest[0])
        return ROUTER_KEYS.get(name, f"routeros:{name}")
    if section == "email":
        return ".".join([EMAIL_KEY, *(str(part) for part in rest)])
    if section == "services":
        return services_key(tuple(rest))
    if section == "site":
        return SITE_KEY
    return ".".join(str(part) for part in loc)


def parse_site(raw: Mapping[str, Any]) -> SiteSpec:
    """Validate `{"router": {...}, "email": {...}}` (config names as in the stack file)."""
    try:
        return SiteSpec.model_validate(raw)
    except ValidationError as error:
        problems = [(_config_key(tuple(e["loc"])), _reason(e)) for e in error.errors()]
        raise SiteConfigError(problems) from None


def _reason(error: Mapping[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        return "is not a known setting"
    if error["type"] == "missing":
        return "is required"
    return str(error["msg"]).removeprefix("Value error, ")


def read_site(get: Callable[[str], Any], present: Iterable[str] = ()) -> SiteSpec:
    """Read a site from a config lookup (`get("routeros:host")`, returns None when unset).

    `present` are the keys the stack sets; one of ours that nothing reads (`routeros:prot`) is an
    error rather than a setting silently ignored.
    """
    unknown = sorted(key for key in present if key.startswith(NAMESPACES) and key not in KNOWN_KEYS)
    router = {name: get(key) for name, key in ROUTER_KEYS.items()}
    raw: dict[str, Any] = {"router": {k: v for k, v in router.items() if v is not None}}
    for name, key in (("email", EMAIL_KEY), ("site", SITE_KEY), ("services", SERVICES_KEY)):
        value = get(key)
        if value is not None:
            raw[name] = value
    known = ", ".join(sorted(KNOWN_KEYS))
    problems = [(key, f"is not a known setting; known: {known}") for key in unknown]
    try:
        site = parse_site(raw)
    except SiteConfigError as error:
        raise SiteConfigError(problems + error.problems) from None
    if problems:
        raise SiteConfigError(problems)
    return site


def lb_site(site: SiteSpec, stack: str) -> LbSite:
    """What `balancer.plan` reads: the site's name (`routeros-lb:site`, else the stack's name),
    its services, and `routeros-lb:email.to` as the default recipients."""
    try:
        return LbSite(
            name=site.site or stack,
            services=site.services,
            notify=list(site.email.to) if site.email else [],
        )
    except ValidationError as error:
        raise SiteConfigError([(SITE_KEY, _reason(e)) for e in error.errors()]) from None
