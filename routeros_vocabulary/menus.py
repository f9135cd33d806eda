"""The RouterOS menus routeros-lb manages and the fields it manages in each: one table.

Keyed as community.routeros's `plugins/module_utils/_api_data.py` keys them: a menu by its path,
a field by its RouterOS name (`dst-port`, `on-event`, `from`). Each field says how its values are
read (its `kind`, which the providers' schemas turn into a normaliser), the Python keyword of the
resource input that carries it, and the versions that have it. The providers' schemas, the
resource classes and the component's conversion of a planned object are held to this table
(`tests/providers/test_menu_table.py`).

Versions follow `_api_data.py` where it covers them (7.x); the 6.x facts (netwatch's ICMP-only
probe, e-mail's `address` and `start-tls`) come from the manual and the captured 6.49 router
described in `docs/simulator-internals.md`.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from routeros_vocabulary.versions import Version, range_text, within

Kind = Literal[
    "address",       # an IPv4 address, network or range, `!` allowed: `10.0.0.0/24`
    "bool",          # yes/no, true/false
    "choice",        # one word of a fixed set
    "choices",       # a comma list of words of a fixed set, `!` allowed
    "classifier",    # a PCC classifier: `both-addresses-and-ports:4/0`
    "comment",       # free text; carries the ownership tag `[lb:<tag>]`
    "date",          # `2024-01-02` (7.10 on) or `jan/02/2024`
    "duration",      # see routeros_vocabulary.durations
    "host",          # an IP address or a DNS name
    "integer",
    "name",          # a chain, mark, interface or list name (no spaces)
    "object-name",   # a script's or scheduler's name
    "percent",       # `10%`
    "plain-address", # one IP address, no mask, no negation
    "policy",        # script policies: `read,write,test`
    "port",          # one port
    "port-range",    # one port or one range: `8000-8080`
    "ports",         # ports and ranges: `80,443,8000-8080`
    "protocol",      # a protocol name or number
    "script",        # script source text
    "text",
    "time",          # a time of day: `03:00:00`
]

V7: Version = (7, 0, 0)


@dataclass(frozen=True)
class Field:
    """One field of a menu: its RouterOS name, how its values read, which versions have it
    (`until` exclusive), and the keyword of the resource input (derived from the name unless
    the input keeps one spelling across versions, as e-mail's `server` does)."""

    name: str
    kind: Kind
    since: Version | None = None
    until: Version | None = None
    keyword: str = ""

    def __post_init__(self) -> None:
        if not self.keyword:
            derived = self.name.replace("-", "_")
            object.__setattr__(self, "keyword", derived + "_" if keyword.iskeyword(derived)
                               else derived)

    def available(self, version: Version) -> bool:
        return within(version, self.since, self.until)

    def needs(self) -> str:
        """The versions that have the field, as a person reads them."""
        return range_text(self.since, self.until)


@dataclass(frozen=True)
class MenuFacts:
    """One menu: its path, whether it is a singleton (one item, no `.id`) or an ordered list
    (rules evaluated in order), and the fields routeros-lb manages, by RouterOS name."""

    key: str
    path: str
    fields: Mapping[str, Field]
    singleton: bool = False
    ordered: bool = False

    @property
    def keywords(self) -> frozenset[str]:
        """The resource inputs that carry this menu's fields."""
        return frozenset(field.keyword for field in self.fields.values())

    def keyword(self, name: str) -> str | None:
        """The resource input of the RouterOS field `name`; None if routeros-lb does not
        manage it."""
        field = self.fields.get(name)
        return field.keyword if field else None


def _menu(key: str, path: str, *fields: Field, singleton: bool = False,
          ordered: bool = False) -> MenuFacts:
    return MenuFacts(key, path, {field.name: field for field in fields}, singleton, ordered)


def _firewall_matchers() -> tuple[Field, ...]:
    """The matchers and logging fields mangle and nat share."""
    return (
        Field("chain", "name"),
        Field("action", "choice"),
        Field("jump-target", "name"),
        Field("src-address", "address"),
        Field("dst-address", "address"),
        Field("src-port", "ports"),
        Field("dst-port", "ports"),
        Field("protocol", "protocol"),
        Field("in-interface", "name"),
        Field("out-interface", "name"),
        Field("in-interface-list", "name"),
        Field("out-interface-list", "name"),
        Field("src-address-list", "name"),
        Field("dst-address-list", "name"),
        Field("src-address-type", "choices"),
        Field("dst-address-type", "choices"),
        Field("connection-mark", "name"),
        Field("packet-mark", "name"),
        Field("comment", "comment"),
        Field("disabled", "bool"),
        Field("log", "bool"),
        Field("log-prefix", "text"),
    )


MANGLE = _menu(
    "mangle", "/ip/firewall/mangle",
    *_firewall_matchers(),
    Field("new-connection-mark", "name"),
    Field("new-packet-mark", "name"),
    Field("new-routing-mark", "name"),
    Field("passthrough", "bool"),
    Field("per-connection-classifier", "classifier"),
    Field("routing-mark", "name"),
    Field("connection-state", "choices"),
    Field("connection-nat-state", "choices"),
    ordered=True,
)

# NAT has no `connection-state` (nor `connection-nat-state`) on 6.49 or 7.x (`_api_data.py`).
NAT = _menu(
    "nat", "/ip/firewall/nat",
    *_firewall_matchers(),
    Field("to-addresses", "address"),
    Field("to-ports", "port-range"),
    ordered=True,
)

SCRIPT = _menu(
    "script", "/system/script",
    Field("name", "object-name"),
    Field("source", "script"),
    Field("policy", "policy"),
    Field("dont-require-permissions", "bool"),
    Field("comment", "comment"),
)

SCHEDULER = _menu(
    "scheduler", "/system/scheduler",
    Field("name", "object-name"),
    Field("on-event", "script"),
    Field("start-date", "date"),
    Field("start-time", "time"),
    Field("interval", "duration"),
    Field("policy", "policy"),
    Field("disabled", "bool"),
    Field("comment", "comment"),
)

_NETWATCH_V7: tuple[tuple[str, Kind], ...] = (
    ("name", "text"), ("type", "choice"), ("port", "port"), ("start-delay", "duration"),
    ("startup-delay", "duration"), ("test-script", "script"), ("src-address", "plain-address"),
    ("http-codes", "text"), ("packet-interval", "duration"), ("packet-count", "integer"),
    ("packet-size", "integer"), ("thr-max", "duration"), ("thr-avg", "duration"),
    ("thr-stdev", "duration"), ("thr-jitter", "duration"), ("thr-loss-percent", "percent"),
    ("thr-loss-count", "integer"), ("thr-tcp-conn-time", "duration"),
    ("thr-http-time", "duration"),
)

# v6 probes ICMP only; v7 adds probe types, names, delays, thresholds and a test script.
NETWATCH = _menu(
    "netwatch", "/tool/netwatch",
    Field("host", "host"),
    Field("interval", "duration"),
    Field("timeout", "duration"),
    Field("up-script", "script"),
    Field("down-script", "script"),
    Field("disabled", "bool"),
    Field("comment", "comment"),
    *(Field(name, kind, since=V7) for name, kind in _NETWATCH_V7),
)

# The SMTP server is `address` before 7.12 and `server` from 7.12; TLS is `start-tls` on v6 and
# `tls` on v7. The resource keeps one input for each (`server`, `tls`).
EMAIL = _menu(
    "email", "/tool/e-mail",
    Field("address", "plain-address", until=(7, 12, 0), keyword="server"),
    Field("server", "host", since=(7, 12, 0)),
    Field("port", "port"),
    Field("from", "text"),
    Field("user", "text"),
    Field("password", "text"),
    Field("start-tls", "choice", until=V7, keyword="tls"),
    Field("tls", "choice", since=V7),
    Field("vrf", "text", since=V7),
    Field("certificate-verification", "choice", since=(7, 21, 0)),
    singleton=True,
)

MENUS: Mapping[str, MenuFacts] = {
    menu.key: menu for menu in (MANGLE, NAT, SCRIPT, SCHEDULER, NETWATCH, EMAIL)}
ORDERED_PATHS = tuple(menu.path for menu in MENUS.values() if menu.ordered)
