"""The firewall menus: `/ip/firewall/filter`, `mangle`, `nat` (ordered rule lists) and
`/ip/firewall/connection` (conntrack entries the data plane adds; print and remove).

Schemas follow the reference (section 3). This module knows what rules hold, not how packets
traverse them (that is the behaviour's data plane).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.api import CommandError, Request
from simulator.menus.engine import Handler, Item, ListMenu
from simulator.profiles import Profile
from simulator.schema import (
    AddressMatcher,
    Bool,
    Classifier,
    Duration,
    Enum,
    FlagList,
    Int,
    Name,
    Pattern,
    Ports,
    Prop,
    PropType,
    Schema,
    Text,
)

if TYPE_CHECKING:
    from simulator.router import Router

BUILTIN_CHAINS = {
    "filter": ("input", "forward", "output"),
    "mangle": ("prerouting", "input", "forward", "output", "postrouting"),
    "nat": ("srcnat", "dstnat"),
}

ACTIONS = {
    "filter": ("accept", "add-dst-to-address-list", "add-src-to-address-list", "drop",
               "fasttrack-connection", "jump", "log", "passthrough", "reject", "return",
               "tarpit"),
    "mangle": ("accept", "add-dst-to-address-list", "add-src-to-address-list", "change-dscp",
               "change-mss", "change-ttl", "clear-df", "fasttrack-connection", "jump", "log",
               "mark-connection", "mark-packet", "mark-routing", "passthrough", "return", "route",
               "set-priority", "sniff-pc", "sniff-tzsp", "strip-ipv4-options"),
    "nat": ("accept", "add-dst-to-address-list", "add-src-to-address-list", "dst-nat",
            "endpoint-independent-nat", "jump", "log", "masquerade", "netmap", "passthrough",
            "redirect", "return", "same", "src-nat"),
}

CONNECTION_STATES = ("invalid", "established", "related", "new", "untracked")
ADDRESS_TYPES = ("unicast", "local", "broadcast", "multicast", "blackhole", "prohibit",
                 "unreachable")
PROTOCOLS = ("icmp", "igmp", "tcp", "udp", "gre", "esp", "ah", "icmpv6", "ospf", "sctp", "ipip",
             "l2tp", "pim", "vrrp", "rsvp", "ipv6-encap", "udp-lite", "dccp")


class Protocol(PropType):
    """A protocol name or number, `!` negates."""

    def parse(self, text: str) -> str:
        neg = "!" if text.startswith("!") else ""
        body = text[len(neg):]
        if body in PROTOCOLS:
            return text
        return neg + Int(0, 255).parse(body)


class AddressType(PropType):
    def parse(self, text: str) -> str:
        neg = "!" if text.startswith("!") else ""
        return neg + Enum(*ADDRESS_TYPES).parse(text[len(neg):])


class ListTimeout(PropType):
    """How long an `add-*-to-address-list` entry lives: a duration, or `none-dynamic` (until a
    reboot) / `none-static` (kept)."""

    def parse(self, text: str) -> str:
        if text in ("none-dynamic", "none-static"):
            return text
        return Duration().parse(text)


_NUMBER = r"\d{1,10}"
_RANGE = rf"{_NUMBER}(-{_NUMBER})?"
_RATE = r"\d{1,10}[kMG]?"
_DURATION = r"(\d+[wdhms]|\d+ms)+|\d+(:\d{2}){1,2}"
_DAYS = r"(,(sun|mon|tue|wed|thu|fri|sat))*"
_TCP_FLAGS = ("fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr")


def _more_matchers(table: str) -> list[Prop]:
    """Matchers a real site's hand-made rules use, with the shapes RouterOS documents (manual's
    firewall matchers; community.routeros `_api_data.py` for which table has which).

    Stored and printed; the data plane matches the cheap ones (`matchers.py`) and reports a rule
    with any other as unsupported rather than guessing.
    """
    flag = rf"!?({'|'.join(_TCP_FLAGS)})"
    props = [
        Prop("connection-limit", Pattern(rf"{_NUMBER},\d{{1,2}}")),
        Prop("connection-bytes", Pattern(rf"{_NUMBER}-({_NUMBER})?")),
        Prop("connection-rate", Pattern(rf"{_RATE}-{_RATE}")),
        Prop("connection-type", Pattern(r"ftp|h323|irc|pptp|quake3|sip|tftp", negatable=True)),
        Prop("nth", Pattern(rf"{_NUMBER},{_NUMBER}")),
        Prop("random", Int(1, 99)),
        Prop("time", Pattern(rf"({_DURATION})-({_DURATION}){_DAYS}")),
        Prop("src-mac-address", Pattern(r"([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}", negatable=True)),
        Prop("limit", Pattern(rf"{_NUMBER}(/({_DURATION}))?,{_NUMBER}(:(packet|bit))?")),
        Prop("dst-limit", Pattern(
            rf"{_NUMBER}(/({_DURATION}))?,{_NUMBER},(dst-address|dst-address-and-port|"
            rf"src-address|src-and-dst-addresses|addresses-and-dst-port)(/({_DURATION}))?")),
        Prop("layer7-protocol", Name(negatable=True)),
        Prop("content", Text()),
        Prop("packet-size", Pattern(_RANGE, negatable=True)),
        Prop("icmp-options", Pattern(r"\d{1,3}(-\d{1,3})?(:\d{1,3}(-\d{1,3})?)?",
                                     negatable=True)),
        Prop("tcp-mss", Pattern(_RANGE, negatable=True)),
        Prop("ttl", Pattern(r"(equal|greater-than|less-than|not-equal):\d{1,3}")),
        Prop("dscp", Int(0, 63)),
        Prop("priority", Int(0, 63)),
        Prop("ingress-priority", Int(0, 63)),
        Prop("fragment", Bool()),
        Prop("ipv4-options", Pattern(
            r"any|loose-source-routing|no-record-route|no-router-alert|no-source-routing|"
            r"no-timestamp|none|record-route|router-alert|strict-source-routing|timestamp",
            negatable=True)),
        Prop("in-bridge-port", Name(negatable=True)),
        Prop("out-bridge-port", Name(negatable=True)),
        Prop("in-bridge-port-list", Name(negatable=True)),
        Prop("out-bridge-port-list", Name(negatable=True)),
        Prop("ipsec-policy", Pattern(r"(in|out),(ipsec|none)")),
        Prop("hotspot", Pattern(r"!?(auth|from-client|http|local-dst|to-client)"
                                r"(,!?(auth|from-client|http|local-dst|to-client))*")),
        Prop("psd", Pattern(rf"{_NUMBER},({_DURATION}),{_NUMBER},{_NUMBER}")),
        Prop("realm", Name(negatable=True)),
    ]
    if table != "nat":
        # NAT has no tcp-flags (`_api_data.py`); filter and mangle do, and tls-host.
        props += [
            Prop("tcp-flags", Pattern(rf"{flag}(,{flag})*", negatable=True)),
            Prop("tls-host", Text()),
        ]
    if table == "nat":
        props.append(Prop("tls-host", Text(), until=(7, 16)))
    return props


def _rule_props(table: str) -> list[Prop]:
    matchers = [
        Prop("src-address", AddressMatcher()),
        Prop("dst-address", AddressMatcher()),
        Prop("protocol", Protocol()),
        Prop("src-port", Ports()),
        Prop("dst-port", Ports()),
        Prop("port", Ports()),
        Prop("in-interface", Name(negatable=True)),
        Prop("out-interface", Name(negatable=True)),
        Prop("in-interface-list", Name(negatable=True)),
        Prop("out-interface-list", Name(negatable=True)),
        Prop("src-address-list", Name(negatable=True)),
        Prop("dst-address-list", Name(negatable=True)),
        # NAT has neither (community.routeros `_api_data.py`, 6.49 and 7.x): refused there.
        *([] if table == "nat" else [
            Prop("connection-state", FlagList(*CONNECTION_STATES)),
            Prop("connection-nat-state", FlagList("srcnat", "dstnat")),
        ]),
        Prop("connection-mark", Name(negatable=True)),
        Prop("packet-mark", Name(negatable=True)),
        Prop("routing-mark", Name(negatable=True)),
        Prop("dst-address-type", AddressType()),
        Prop("src-address-type", AddressType()),
        Prop("per-connection-classifier", Classifier()),
        *_more_matchers(table),
    ]
    head = [
        Prop("chain", Enum(*BUILTIN_CHAINS[table], open_=True), required=True),
        Prop("action", Enum(*ACTIONS[table]), default="accept"),
    ]
    specific: list[Prop] = []
    if table == "mangle":
        specific = [
            Prop("new-connection-mark", Name()),
            Prop("new-packet-mark", Name()),
            Prop("new-routing-mark", Name()),
            # From 7.19 every mangle rule prints `passthrough` (default yes); before, only the
            # actions that pass through (`_api_data.py`: can_disable before 7.19, default True
            # from 7.19).
            Prop("passthrough", Bool(), until=(7, 19)),
            Prop("passthrough", Bool(), default="true", since=(7, 19)),
        ]
    elif table == "nat":
        specific = [
            Prop("to-addresses", AddressMatcher(negatable=False, prefixes=False)),
            Prop("to-ports", Ports(lists=False, negatable=False)),
        ]
    elif table == "filter":
        specific = [
            Prop("reject-with", Enum("icmp-network-unreachable", "icmp-host-unreachable",
                                     "icmp-port-unreachable", "icmp-protocol-unreachable",
                                     "icmp-network-prohibited", "icmp-host-prohibited",
                                     "icmp-admin-prohibited", "tcp-reset")),
            Prop("hw-offload", Bool(), since=(7, 0)),
        ]
    tail = [
        Prop("jump-target", Name()),
        Prop("address-list", Name()),
        Prop("address-list-timeout", ListTimeout()),
        Prop("log", Bool(), default="false"),
        Prop("log-prefix", Text(), default=""),
        Prop("bytes", read_only=True, runtime=True, default="0"),
        Prop("packets", read_only=True, runtime=True, default="0"),
        Prop("invalid", Bool(), read_only=True, default="false"),
        Prop("dynamic", Bool(), read_only=True, default="false"),
        Prop("disabled", Bool(), default="false"),
        Prop("comment", Text()),
    ]
    return head + specific + matchers + tail


# Mark actions print `passthrough` (default yes); other actions leave it out.
_PASSTHROUGH_ACTIONS = {"mark-connection", "mark-packet", "mark-routing", "change-dscp",
                        "change-mss", "change-ttl", "set-priority", "strip-ipv4-options",
                        "sniff-pc", "sniff-tzsp", "clear-df", "route"}


# Ports only exist for these protocols; RouterOS refuses a port matcher (or a NAT target port)
# on a rule without one of them. The message is a real router's (seen quoted in tik4net#52);
# that `to-ports` gets the same refusal is our assumption.
_PORT_PROTOCOLS = frozenset({"tcp", "udp", "udp-lite", "dccp", "sctp",
                             "6", "17", "136", "33", "132"})
_PORT_PROPS = ("src-port", "dst-port", "to-ports")


class RuleMenu(ListMenu):
    ordered = True

    def __init__(self, table: str, profile: Profile) -> None:
        super().__init__(f"/ip/firewall/{table}", Schema(profile, _rule_props(table)))
        self.table = table

    def check(self, router: Router, props: dict[str, str], item: Item | None) -> None:
        super().check(router, props, item)
        if props.get("action") == "jump" and not props.get("jump-target"):
            raise CommandError("failure: no target chain specified")
        if (any(props.get(name) for name in _PORT_PROPS)
                and props.get("protocol") not in _PORT_PROTOCOLS):
            raise CommandError("failure: ports can be specified if proto is tcp,udp,udp-lite,"
                               "dccp,sctp")
        if self.table == "mangle" and props.get("action") in _PASSTHROUGH_ACTIONS:
            props.setdefault("passthrough", "true")


class AddressListMenu(ListMenu):
    """Named address sets the rules match with `src-address-list`/`dst-address-list`."""

    def __init__(self, profile: Profile) -> None:
        super().__init__("/ip/firewall/address-list", Schema(profile, [
            Prop("list", Name(), required=True),
            Prop("address", AddressMatcher(negatable=False), required=True),
            Prop("timeout", Duration()),
            Prop("creation-time", read_only=True),
            Prop("dynamic", Bool(), read_only=True, default="false"),
            Prop("disabled", Bool(), default="false"),
            Prop("comment", Text()),
        ]))

    def on_add(self, router: Router, request: Request, props: dict[str, str]) -> None:
        props["creation-time"] = router.now_text()

    def check(self, router: Router, props: dict[str, str], item: Item | None) -> None:
        super().check(router, props, item)
        key = (props.get("list"), props.get("address"))
        if any(other is not item and (other.props.get("list"), other.props.get("address")) == key
               for other in self.items):
            raise CommandError("failure: already have such entry")


class ConnectionMenu(ListMenu):
    """Conntrack entries: the data plane adds them with `add_internal`; clients print and
    remove them. Removing one is how a failover script cuts clients off a dead server."""

    def __init__(self, profile: Profile) -> None:
        props = [Prop(name, read_only=True) for name in (
            "protocol", "src-address", "dst-address", "reply-src-address", "reply-dst-address",
            "connection-mark", "timeout", "tcp-state", "orig-bytes", "repl-bytes")]
        super().__init__("/ip/firewall/connection", Schema(profile, props))

    def refuse_dynamic(self, items: object) -> None:
        return None  # conntrack entries are the router's own and yet removable

    def verbs(self) -> dict[str, Handler]:
        return {"print": self.print_, "getall": self.print_, "get": self.get_,
                "remove": self.remove}


def menus(profile: Profile) -> list[ListMenu]:
    return [RuleMenu("filter", profile), RuleMenu("mangle", profile), RuleMenu("nat", profile),
            AddressListMenu(profile), ConnectionMenu(profile)]
