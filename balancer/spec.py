"""The balancer's input: what a site asks of its load balancers, as validated models.

These models are defined once, here, because they are the contract of `balancer.plan`: the plan
reads them and nothing else. The stack config package (`stackconfig/`) composes them into its one
model of the whole stack config and maps each error's location onto the config key a person has
to fix; this module knows no config keys. Every string that reaches the router or a generated
script is either a slug, an IPv4 address or network, a number, a port list, a duration or an
interface name of a fixed character set, so no user string can inject RouterOS script (the
scripts quote every value besides).
Pure: pydantic only.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from routeros_vocabulary.durations import EXAMPLES as DURATION_EXAMPLES
from routeros_vocabulary.durations import compact_duration, parse_duration

SLUG = re.compile(r"^[a-z][a-z0-9-]{0,23}$")
# Site names: what a Pulumi stack name may be (letters, digits, `-`, `_`, `.`), at most 24.
SITE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,23}$")
# Interface names routeros-lb writes: a safe subset of what RouterOS allows (no spaces, quotes).
INTERFACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# E-mail addresses reach the router's e-mail settings and the generated scripts: a safe subset of
# what mail accepts (no quotes, no non-ASCII), the same for every address the stack names.
_MAILBOX = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,189})$")

MAX_SERVERS = 64
MAX_PORT_ENTRIES = 15  # RouterOS takes at most 15 ports or ranges in one dst-port


def _slug(value: str) -> str:
    if not isinstance(value, str) or not SLUG.fullmatch(value):
        raise ValueError(
            "names must be slugs: a lower-case letter, then up to 23 lower-case letters, "
            "digits or '-'"
        )
    return value


def _ipv4(value: Any) -> str:
    try:
        return str(ipaddress.IPv4Address(str(value)))
    except ValueError:
        raise ValueError("must be an IPv4 address such as 192.168.1.132") from None


def _ipv4_network(value: Any) -> str:
    try:
        return str(ipaddress.IPv4Network(str(value), strict=True))
    except ValueError:
        raise ValueError("must be an IPv4 network such as 192.168.1.0/24") from None


def _interface(value: Any) -> str:
    if not isinstance(value, str) or not INTERFACE.fullmatch(value):
        raise ValueError(
            "must be an interface name of letters, digits, '.', '_' or '-' (at most 64)"
        )
    return value


def _mailbox(value: Any) -> str:
    if not isinstance(value, str) or not _MAILBOX.fullmatch(value):
        raise ValueError("must be an e-mail address such as admin@example.com: up to 64 ASCII "
                         "letters, digits or . _ % + - before the @, then a domain of letters, "
                         "digits, '.' or '-'")
    return value


def duration_seconds(value: Any) -> float:
    """Seconds in a RouterOS duration (`10s`, `1m30s`, `500ms`, `00:00:10`); ValueError if not."""
    try:
        return parse_duration(value)
    except ValueError:
        raise ValueError(f"must be a duration such as {DURATION_EXAMPLES}") from None


def _duration_between(low: float, high: float) -> AfterValidator:
    def check(value: Any) -> str:
        seconds = duration_seconds(value)
        if not low <= seconds <= high:
            raise ValueError(
                f"must be between {compact_duration(low)} and {compact_duration(high)}"
            )
        return compact_duration(seconds)

    return AfterValidator(check)


def _ports(value: Any) -> str:
    """Ports as RouterOS takes them: `80`, `[80, 443]`, `"80,443"`, `"8000-8080"` → `80,443`."""
    if isinstance(value, bool):
        raise ValueError("must be a port, a range such as 8000-8080, or a list of them")
    if isinstance(value, int):
        entries: list[Any] = [value]
    elif isinstance(value, str):
        entries = value.split(",")
    elif isinstance(value, list | tuple):
        entries = list(value)
    else:
        raise ValueError("must be a port, a range such as 8000-8080, or a list of them")
    if not entries or len(entries) > MAX_PORT_ENTRIES:
        raise ValueError(f"must list 1 to {MAX_PORT_ENTRIES} ports or ranges")
    out = []
    for entry in entries:
        text = str(entry).strip() if not isinstance(entry, bool) else "x"
        match = re.fullmatch(r"(\d{1,5})(?:-(\d{1,5}))?", text)
        if not match:
            raise ValueError(f"{text[:40]!r} is not a port (1-65535) or a range such as 8000-8080")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if not 1 <= first <= last <= 65535:
            raise ValueError(f"{text!r}: ports go from 1 to 65535, a range from low to high")
        out.append(str(first) if first == last else f"{first}-{last}")
    return ",".join(out)


def _one_or_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Slug = Annotated[str, AfterValidator(_slug)]
IPv4 = Annotated[str, BeforeValidator(_ipv4)]
IPv4Network = Annotated[str, BeforeValidator(_ipv4_network)]
Interface = Annotated[str, BeforeValidator(_interface)]
Mailbox = Annotated[str, BeforeValidator(_mailbox)]
Ports = Annotated[str, BeforeValidator(_ports)]

Classifier = Literal[
    "src-address", "src-address-and-port", "both-addresses", "both-addresses-and-ports",
    "src-port", "both-ports",
]


class Spec(BaseModel):
    """The base of every spec model (the balancer's and the stack config's): unknown settings
    are errors, specs are frozen, and fields take their config spelling (`allDown`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FrontendSpec(Spec):
    """Where clients reach the service: an address, an in-interface, or both; protocol, ports."""

    address: IPv4 | None = None
    interface: Interface | None = None
    protocol: Literal["tcp", "udp"] = "tcp"
    ports: Ports

    @model_validator(mode="after")
    def _address_or_interface(self) -> FrontendSpec:
        if self.address is None and self.interface is None:
            raise ValueError("needs an address, an interface, or both")
        return self


def _whole_number(low: int, high: int) -> BeforeValidator:
    def check(value: Any) -> int:
        text = str(value).strip() if isinstance(value, int | str) and value is not True \
            and value is not False else ""
        if not text.isdigit() or not low <= int(text) <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return int(text)

    return BeforeValidator(check)


Port = Annotated[int, _whole_number(1, 65535)]


class ServerSpec(Spec):
    address: IPv4
    port: Port | None = None
    weight: Annotated[int, _whole_number(1, 100)] = 1


class HealthSpec(Spec):
    """Netwatch's probe. `icmp` on every version; `tcp` (connect) and `http` (GET, 2xx/3xx is up)
    need RouterOS v7, checked when the plan knows the router's version."""

    type: Literal["icmp", "tcp", "http"] = "icmp"
    interval: Annotated[str, _duration_between(1, 86400)] = "10s"
    timeout: Annotated[str, _duration_between(0.02, 10)] = "1s"
    port: Port | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_path(cls, data: Any) -> Any:
        if isinstance(data, dict) and "path" in data:
            raise ValueError(
                "path: netwatch's http-get probe asks for / and takes no path; remove it"
            )
        return data

    @model_validator(mode="after")
    def _port_only_for_tcp_and_http(self) -> HealthSpec:
        if self.port is not None and self.type == "icmp":
            raise ValueError("port: an icmp probe has no port; use type tcp or http")
        return self


_COMMENT = re.compile(r"^[ -~]{1,255}$")


def _comment(value: Any) -> str:
    if not isinstance(value, str) or not _COMMENT.fullmatch(value) or "[lb:" in value:
        raise ValueError("must be the comment of a rule on the router: 1 to 255 printable ASCII "
                         "characters, not one of routeros-lb's own ([lb:...])")
    return value


Comment = Annotated[str, BeforeValidator(_comment)]


class JumpsBeforeSpec(Spec):
    """Where the service's jumps from the built-in chains go: right before the rule with this
    comment (`mangle`: in prerouting; `nat`: in dstnat) instead of the chain's top. The comment
    is only compared with the router's rules, never written into a script."""

    mangle: Comment | None = None
    nat: Comment | None = None


class ServiceSpec(Spec):
    frontend: FrontendSpec
    servers: dict[Slug, ServerSpec]
    classifier: Classifier = "src-address"
    health: HealthSpec = HealthSpec()
    slots: int | None = None
    notify: Annotated[list[Mailbox] | None, BeforeValidator(_one_or_list)] = None
    hairpin: Annotated[list[IPv4Network], BeforeValidator(_one_or_list)] = []
    all_down: Literal["drop"] = Field(default="drop", alias="allDown")
    jumps_before: JumpsBeforeSpec = Field(default=JumpsBeforeSpec(), alias="jumpsBefore")

    @field_validator("servers")
    @classmethod
    def _one_to_64(cls, value: dict[str, ServerSpec]) -> dict[str, ServerSpec]:
        if not 1 <= len(value) <= MAX_SERVERS:
            raise ValueError(f"must name 1 to {MAX_SERVERS} servers (it names {len(value)})")
        return value

    @field_validator("slots")
    @classmethod
    def _power_of_two(cls, value: int | None) -> int | None:
        if value is not None and (value < 1 or value > 1024 or value & (value - 1)):
            raise ValueError("must be a power of two from 1 to 1024")
        return value

    @field_validator("all_down", mode="before")
    @classmethod
    def _explain_all_down(cls, value: Any) -> Any:
        if value == "reject":
            raise ValueError(
                "'reject' needs a /ip firewall filter rule, which routeros-lb does not manage "
                "yet; 'drop' (the default) sends the service's connections to a server address "
                "anyway, so they go unanswered and never reach the router"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ServiceSpec:
        seen: dict[str, str] = {}
        for name, server in self.servers.items():
            if server.address in seen:
                raise ValueError(
                    f"servers.{name}.address: {server.address} is also server "
                    f"{seen[server.address]}'s; every server needs its own address"
                )
            seen[server.address] = name
        if self.slots is not None and self.slots < len(self.servers):
            raise ValueError(
                f"slots: {self.slots} is fewer than the {len(self.servers)} servers; "
                "every server needs a slot"
            )
        if self.frontend.address in seen:
            raise ValueError("frontend.address: must not be a server's address")
        if self.hairpin and self.frontend.address is None:
            raise ValueError(
                "hairpin: needs frontend.address (LAN clients reach the service by that address)"
            )
        return self


def site_name(value: Any) -> str:
    if not isinstance(value, str) or not SITE_NAME.fullmatch(value):
        raise ValueError(
            "must be 1 to 24 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return value


SiteName = Annotated[str, BeforeValidator(site_name)]


class LbSite(Spec):
    """What `plan` reads: the site's name (for ownership tags), its services, and who is told by
    default when a server fails (`routeros-lb:email.to`)."""

    name: SiteName
    services: dict[Slug, ServiceSpec] = {}
    notify: list[Mailbox] = []
