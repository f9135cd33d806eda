"""Properties and rules shared by the firewall tables (mangle, nat): matchers and logging."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from providers import normalise as n
from providers.schemas.base import Issue, Prop, is_unknown

CONNECTION_STATES = ("established", "invalid", "new", "related", "untracked")
CONNECTION_NAT_STATES = ("dstnat", "srcnat")
ADDRESS_TYPES = (
    "blackhole", "broadcast", "local", "multicast", "prohibit", "unicast", "unreachable",
)
PORT_PROTOCOLS = ("tcp", "udp", "udp-lite", "sctp", "dccp")
PROTOCOLS = (
    "tcp", "udp", "icmp", "icmpv6", "gre", "ipsec-esp", "ipsec-ah", "ospf", "igmp", "pim",
    "vrrp", "sctp", "dccp", "udp-lite", "l2tp", "ipip", "ipencap", "egp", "ggp", "rsvp",
)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+-]*")


def name_like(value: object, *, what: str, negatable: bool = False) -> str:
    """A chain, mark or interface name: no spaces, commas or quotes."""
    text = str(value).strip()
    body = text[1:] if negatable and text.startswith("!") else text
    if not _NAME.fullmatch(body):
        raise ValueError(
            f"{value!r} is not a valid {what}: use letters, digits and . _ - : @ / + (no spaces)"
        )
    return text


def protocol(value: object) -> str:
    text = str(value).strip().lower()
    body = text.removeprefix("!")
    if body.isdigit():
        return ("!" if text.startswith("!") else "") + n.integer(body, high=255)
    return n.choice(text, PROTOCOLS, negatable=True)


def name_prop(name: str, what: str, **kw: Any) -> Prop:
    return Prop(name, partial(name_like, what=what, negatable=kw.pop("negatable", False)), **kw)


def matchers(*, connection_state: bool = True) -> tuple[Prop, ...]:
    """Match properties both tables accept, in Python spelling. NAT has no `connection_state`
    on 6.49 or 7.x (community.routeros `_api_data.py`): its schema passes False."""
    state = (
        (Prop("connection_state",
              partial(n.choice_set, allowed=CONNECTION_STATES, negatable=True)),)
        if connection_state else ()
    )
    return (
        # /ip/firewall holds IPv4 rules; IPv6 ones live in /ipv6/firewall.
        Prop("src_address", partial(n.address, family=4)),
        Prop("dst_address", partial(n.address, family=4)),
        Prop("src_port", n.port_list),
        Prop("dst_port", n.port_list),
        Prop("protocol", protocol),
        name_prop("in_interface", "interface name", negatable=True),
        name_prop("out_interface", "interface name", negatable=True),
        name_prop("connection_mark", "connection mark", negatable=True),
        *state,
        Prop("dst_address_type", partial(n.choice_set, allowed=ADDRESS_TYPES, negatable=True)),
        Prop("comment", n.comment),
        Prop("disabled", n.as_bool, default=False),
        Prop("log", n.as_bool, default=False),
        Prop("log_prefix", n.text, default=""),
    )


def chain_prop() -> Prop:
    return name_prop("chain", "chain name", required=True)


def ports_need_protocol(values: Mapping[str, Any]) -> list[Issue]:
    proto = values.get("protocol")
    if proto is None or is_unknown(proto) or str(proto).startswith("!"):
        proto = None
    issues = []
    for name in ("src_port", "dst_port", "to_ports"):
        if values.get(name) is not None and proto not in PORT_PROTOCOLS:
            allowed = ", ".join(PORT_PROTOCOLS)
            issues.append((name, f"{name} needs protocol set to one of {allowed}"))
    return issues


def requires(
    action: str, *names: str, any_of: bool = False
) -> Callable[[Mapping[str, Any]], list[Issue]]:
    """Rule: `action=<action>` needs the named properties (all of them, or any one)."""

    def rule(values: Mapping[str, Any]) -> list[Issue]:
        if values.get("action") != action:
            return []
        present = [name for name in names if values.get(name) is not None]
        if (any_of and present) or (not any_of and len(present) == len(names)):
            return []
        wanted = " or ".join(names) if any_of else " and ".join(names)
        return [(names[0], f"action={action} needs {wanted}")]

    return rule


def mark_and_list_matchers() -> tuple[Prop, ...]:
    """Matchers RouterOS has on both mangle and NAT beyond `matchers()`: the packet mark a mangle
    rule set (a failover NAT rule matches it), interface lists and address lists."""
    return (
        name_prop("packet_mark", "packet mark", negatable=True),
        name_prop("in_interface_list", "interface list name", negatable=True),
        name_prop("out_interface_list", "interface list name", negatable=True),
        name_prop("src_address_list", "address list name", negatable=True),
        name_prop("dst_address_list", "address list name", negatable=True),
        Prop("src_address_type", partial(n.choice_set, allowed=ADDRESS_TYPES, negatable=True)),
    )
