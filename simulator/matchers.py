"""Firewall rule matchers: does a rule's printed properties match a packet?

Covers the matchers mangle and NAT rules of this project use: addresses (single, prefix, range),
ports (single, list, range), protocol, in/out-interface, in/out-interface-list (members from
/interface/list/member), connection-state, connection-mark, packet-mark, routing-mark,
src/dst-address-type, src/dst-address-list, connection-nat-state, per-connection-classifier,
tcp-flags and packet-size (of a first packet: a 60-byte SYN), each
with a `!` prefix. A property that is neither a known matcher nor
a known non-matcher raises `UnsupportedMatcherError`: the data plane then treats the rule as not
matching and reports it, instead of silently pretending to understand it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from simulator.addresses import RouterAddresses
from simulator.pcc import parse_classifier

PROTOCOL_NUMBERS = {
    "icmp": 1, "igmp": 2, "ipip": 4, "tcp": 6, "egp": 8, "udp": 17, "ipv6-encap": 41,
    "gre": 47, "ipsec-esp": 50, "ipsec-ah": 51, "icmpv6": 58, "ospf": 89, "sctp": 132,
    "udp-lite": 136,
}  # fmt: skip
PORTED_PROTOCOLS = {6, 17, 132, 136, 33}
# What the data plane knows of a connection's first packet beyond its addresses: the size the
# rule counters count (`dataplane.py`) and, for TCP, its flags.
FIRST_PACKET_SIZE = 60
FIRST_PACKET_FLAGS = frozenset({"syn"})

# Properties of a rule that say what to do, describe it, or are counters: never matchers.
NON_MATCHERS = frozenset(
    {
        ".id", "chain", "action", "comment", "disabled", "dynamic", "invalid", "log",
        "log-prefix", "bytes", "packets", "passthrough", "jump-target", "new-connection-mark",
        "new-packet-mark", "new-routing-mark", "to-addresses", "to-ports", "address-list",
        "address-list-timeout", "new-dscp", "new-mss", "new-ttl", "new-priority", "route-dst",
        "sniff-id", "sniff-target", "sniff-target-port", "place-before", "copy-from",
    }
)


class UnsupportedMatcherError(Exception):
    """A rule uses a matcher the simulator does not model."""


@dataclass
class Packet:
    """A connection's first packet as the rules see it at one point of its path."""

    src: str
    src_port: int
    dst: str
    dst_port: int
    protocol: str
    in_interface: str
    out_interface: str | None = None
    connection_state: str = "new"
    connection_mark: str | None = None
    packet_mark: str | None = None
    routing_mark: str | None = None
    nat_state: str = ""  # `dstnat` once a dst-nat rule translated the connection

    @property
    def protocol_number(self) -> int:
        return protocol_number(self.protocol)


@dataclass(frozen=True)
class MatchContext:
    """What matchers need beyond the packet: the router's addresses and its address lists."""

    addresses: RouterAddresses
    address_list: Callable[[str], Iterable[str]]  # list name -> its entries' address values
    # (list name, interface) -> whether the interface is a member of the interface list
    interface_in_list: Callable[[str, str], bool]


def protocol_number(protocol: str) -> int:
    if protocol.isdigit():
        return int(protocol)
    try:
        return PROTOCOL_NUMBERS[protocol]
    except KeyError:
        raise ValueError(f"unknown protocol {protocol!r}") from None


def address_in(address: str, spec: str) -> bool:
    """`spec` is an address, a prefix (`10.0.0.0/8`) or a range (`10.0.0.1-10.0.0.9`)."""
    ip = ipaddress.IPv4Address(address)
    if "-" in spec:
        first, last = spec.split("-", 1)
        return ipaddress.IPv4Address(first) <= ip <= ipaddress.IPv4Address(last)
    if "/" in spec:
        return ip in ipaddress.IPv4Network(spec, strict=False)
    return ip == ipaddress.IPv4Address(spec)


def port_in(port: int, spec: str) -> bool:
    """`spec` is a comma list of ports and ranges: `80`, `80,443`, `8000-8080,22`."""
    for part in spec.split(","):
        first, _, last = part.strip().partition("-")
        if int(first) <= port <= int(last or first):
            return True
    return False


def _mark_matches(mark: str | None, spec: str) -> bool:
    return mark is None if spec == "no-mark" else mark == spec


def _positive(name: str, spec: str, packet: Packet, context: MatchContext) -> bool:
    """One matcher without its `!`."""
    match name:
        case "src-address":
            return address_in(packet.src, spec)
        case "dst-address":
            return address_in(packet.dst, spec)
        case "src-port" | "dst-port" | "port":
            if packet.protocol_number not in PORTED_PROTOCOLS:
                return False
            if name == "port":
                return port_in(packet.src_port, spec) or port_in(packet.dst_port, spec)
            return port_in(packet.src_port if name == "src-port" else packet.dst_port, spec)
        case "protocol":
            return packet.protocol_number == protocol_number(spec)
        case "in-interface":
            return packet.in_interface == spec
        case "out-interface":
            return packet.out_interface == spec
        case "in-interface-list":
            return context.interface_in_list(spec, packet.in_interface)
        case "out-interface-list":
            # Like out-interface: unknown before routing (prerouting, dstnat), so no match there.
            return (packet.out_interface is not None
                    and context.interface_in_list(spec, packet.out_interface))
        case "connection-state":
            return packet.connection_state in spec.split(",")
        case "connection-nat-state":
            return packet.nat_state in spec.split(",")
        case "connection-mark":
            return _mark_matches(packet.connection_mark, spec)
        case "packet-mark":
            return _mark_matches(packet.packet_mark, spec)
        case "routing-mark":
            return _mark_matches(packet.routing_mark, spec)
        case "src-address-type" | "dst-address-type":
            address = packet.src if name == "src-address-type" else packet.dst
            return bool(context.addresses.address_type(address) & set(spec.split(",")))
        case "src-address-list" | "dst-address-list":
            address = packet.src if name == "src-address-list" else packet.dst
            return any(_list_entry_has(entry, address) for entry in context.address_list(spec))
        case "tcp-flags":
            # A connection's first packet is a bare SYN (the simulator models only those).
            if packet.protocol_number != 6:
                return False
            return all((flag[1:] not in FIRST_PACKET_FLAGS) if flag.startswith("!")
                       else flag in FIRST_PACKET_FLAGS for flag in spec.split(","))
        case "packet-size":
            low, _, high = spec.partition("-")
            return int(low) <= FIRST_PACKET_SIZE <= int(high or low)
        case "per-connection-classifier":
            classifier = parse_classifier(spec)
            return classifier.matches(packet.src, packet.src_port, packet.dst, packet.dst_port)
        case _:
            raise UnsupportedMatcherError(name)


def _list_entry_has(entry: str, address: str) -> bool:
    try:
        return address_in(address, entry)
    except ValueError:  # a DNS name in an address list: the simulator resolves nothing
        return False


def matches(props: dict[str, str], packet: Packet, context: MatchContext) -> bool:
    """Whether every matcher of a rule holds for the packet. Raises UnsupportedMatcherError."""
    for name, value in props.items():
        if name in NON_MATCHERS or value == "":
            continue
        negate = value.startswith("!")
        spec = value[1:] if negate else value
        try:
            hit = _positive(name, spec, packet, context)
        except ValueError as error:
            raise UnsupportedMatcherError(f"{name}={value}: {error}") from None
        if hit == negate:
            return False
    return True
