"""A site's configuration as a validated model: the router to talk to and the site-wide settings.

Stack config (`Pulumi.<stack>.yaml`) is read into `SiteSpec`; every error names the config key a
person has to fix (`routeros:port`, `routeros-lb:email.port`) and what is allowed, before anything
touches the router. Pure: no Pulumi engine, no providers, no I/O.
"""

from __future__ import annotations

import ipaddress
import json
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from balancer.model import SitePlan
from balancer.plan import PlanError, plan
from balancer.spec import (
    SERVICES_KEY,
    SITE_KEY,
    LbSite,
    ServiceSpec,
    SiteName,
    Slug,
    services_key,
)

_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# Whole strings only (fullmatch): `$` would let a trailing newline through.
_HOSTNAME = re.compile(rf"(?=.{{1,253}}\Z){_LABEL}(\.{_LABEL})*")
_MAILBOX = re.compile(r"[^@\s\"<>]+@[^@\s\"<>]+")
_USER_NAME = re.compile(r"[\x21-\x7e]+")


def _host(value: str) -> str:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        # All digits and dots is a mistyped address (`1.10`), not a name.
        if not _HOSTNAME.fullmatch(value) or value.replace(".", "").isdigit():
            raise ValueError("must be an IP address or a host name") from None
    return value


def _user_name(value: str) -> str:
    if not _USER_NAME.fullmatch(value):
        raise ValueError("must be printable ASCII without spaces (the API login is ASCII)")
    return value


def _mailbox(value: str) -> str:
    if not _MAILBOX.fullmatch(value):
        raise ValueError("must be an e-mail address such as admin@example.com") from None
    return value


Host = Annotated[str, AfterValidator(_host)]
Mailbox = Annotated[str, AfterValidator(_mailbox)]
Port = Annotated[int, Field(ge=1, le=65535)]


class _Spec(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, coerce_numbers_to_str=True
    )


DEFAULT_ROUTER_VERSION = "7"
_VERSION = re.compile(r"^[67](\.\d{1,2}){0,2}$")


def _routeros_version(value: str) -> str:
    if not _VERSION.match(value):
        raise ValueError("must be a RouterOS version such as 6.49 or 7.20 (6 or 7, then up to "
                         "two numbers)")
    return value


RouterosVersion = Annotated[str, AfterValidator(_routeros_version)]


class RouterSpec(_Spec):
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
        return _user_name(value)


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
    site: SiteName | None = None
    services: dict[Slug, ServiceSpec] = {}


Problem = tuple[str, str]  # (config key, what is wrong)


class SiteConfigError(ValueError):
    # The one exception of the program's config boundary: whatever is wrong with the stack's
    # config (a value, a key, a file it names) comes out as this, every problem keyed.
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
    "version": "routeros:version",
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


def _holds_structure(annotation: Any) -> bool:
    """Whether a field takes a mapping or a list (a model, a dict, a list), not a scalar."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    if typing.get_origin(annotation) in (dict, list, Mapping):
        return True
    return any(_holds_structure(arg) for arg in typing.get_args(annotation))


def _decoded(raw: Mapping[str, Any]) -> dict[str, Any]:
    """`raw` with each section that holds a structure decoded when it came as JSON text (how the
    engine hands a stack file's mappings to the program). Scalars stay the text as written."""
    out, problems = dict(raw), []
    for name, value in raw.items():
        field = SiteSpec.model_fields.get(name)
        if isinstance(value, str) and field is not None and _holds_structure(field.annotation):
            try:
                out[name] = json.loads(value)
            except ValueError:
                problems.append((_config_key((name,)), "must be a mapping of settings "
                                                       "(YAML under the key), not text"))
    if problems:
        raise SiteConfigError(problems)
    return out


def parse_site(raw: Mapping[str, Any]) -> SiteSpec:
    """Validate `{"router": {...}, "email": {...}}` (config names as in the stack file; a
    section that holds a mapping may also be its JSON text, as the engine passes it)."""
    try:
        return SiteSpec.model_validate(_decoded(raw))
    except ValidationError as error:
        problems = [(_config_key(tuple(e["loc"])), _reason(e)) for e in error.errors()]
        raise SiteConfigError(problems) from None


def _reason(error: Mapping[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        known = _known_names(tuple(error["loc"])[:-1])
        return "is not a known setting" + (f"; known: {', '.join(known)}" if known else "")
    if error["type"] == "missing":
        return "is required"
    return str(error["msg"]).removeprefix("Value error, ")


def _known_names(loc: tuple[int | str, ...]) -> list[str]:
    """The setting names the model at `loc` (under `SiteSpec`) accepts, as the user spells them."""
    model: Any = SiteSpec
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if fields is None:
            return []
        field = fields.get(part) or next(
            (f for f in fields.values() if f.alias == part), None)
        if field is None:
            return []
        model = field.annotation
        # `EmailSpec | None` and the like: the model inside.
        model = next((arg for arg in getattr(model, "__args__", ()) if
                      hasattr(arg, "model_fields")), model)
    fields = getattr(model, "model_fields", {})
    return sorted(f.alias or name for name, f in fields.items())


def _router_problems(site: SiteSpec, is_file: Callable[[str], bool] | None) -> list[Problem]:
    """What the router settings cannot mean together, or a CA file that is not there."""
    router, problems = site.router, []
    # Refused rather than implied: TLS changes the default port, which is the router's identity
    # (a new port replaces every object), so it has to be asked for.
    if not router.tls and router.ca_file is not None:
        problems.append((ROUTER_KEYS["caFile"], "is set but routeros:tls is not true: the "
                                                "CA file is for API-SSL; set routeros:tls: true"))
    if not router.tls and not router.verify_tls:
        problems.append((ROUTER_KEYS["verifyTls"], "is false but routeros:tls is not true: "
                                                   "there is no certificate to verify; set "
                                                   "routeros:tls: true"))
    if router.ca_file is not None and is_file is not None and not is_file(router.ca_file):
        problems.append((ROUTER_KEYS["caFile"], f"{router.ca_file!r} is not a file (relative "
                                                "paths are read from the project directory)"))
    return problems


def read_site(get: Callable[[str], Any], present: Iterable[str] = (),
              is_file: Callable[[str], bool] | None = None) -> SiteSpec:
    """Read a site from a config lookup (`get("routeros:host")`, returns None when unset).

    `present` are the keys the stack sets; one of ours that nothing reads (`routeros:prot`) is an
    error rather than a setting silently ignored. `is_file` checks that files the config names
    exist (the program passes one; without it, nothing is looked up).
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
    problems += _router_problems(site, is_file)
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
        hint = "" if site.site else f" (unset, so the stack's name {stack!r} was used)"
        raise SiteConfigError([(SITE_KEY, _reason(e) + hint) for e in error.errors()]) from None


def plan_site(site: SiteSpec, stack: str) -> SitePlan:
    """The site's plan for the RouterOS version the stack declares. A site valid on its own but
    not plannable for that version (an HTTP health check on v6) is a `SiteConfigError` naming
    the key, like every other config error, so the program stops before declaring anything."""
    try:
        return plan(lb_site(site, stack), site.router.version)
    except PlanError as error:
        key = ROUTER_KEYS["version"] if error.key == "version" else error.key
        raise SiteConfigError([(key, error.reason)]) from None
