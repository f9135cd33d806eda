"""The router's own IP addresses and interfaces, as the data plane needs them.

The simulator has no routing table. What the data plane needs from one is small: which
destinations are the router itself (`dst-address-type=local`, redirect, traffic that is not
dst-natted), which interface a forwarded packet leaves by (`out-interface`, masquerade's source
address), and what counts as a broadcast. Tests may replace `RouterAddresses.entries`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

IPv4 = ipaddress.IPv4Address


@dataclass(frozen=True)
class InterfaceAddress:
    interface: str
    address: ipaddress.IPv4Interface  # address with its prefix, e.g. 192.168.1.1/24


def interface_address(interface: str, address: str) -> InterfaceAddress:
    return InterfaceAddress(interface, ipaddress.IPv4Interface(address))


# A typical home or small-office router, matching the seed tutorial's topology: ether1 faces the
# internet with a documentation-range public address (TEST-NET-3, RFC 5737), the LAN bridge holds
# the servers' subnet (192.168.1.132 and .134 in the tutorial). The default route leaves by ether1.
DEFAULT_ADDRESSES: tuple[InterfaceAddress, ...] = (
    interface_address("ether1", "203.0.113.2/24"),
    interface_address("bridge", "192.168.1.1/24"),
)
DEFAULT_ROUTE_INTERFACE = "ether1"


class RouterAddresses:
    """The addresses the router holds; mutable so a test can describe another topology."""

    def __init__(
        self,
        entries: tuple[InterfaceAddress, ...] = DEFAULT_ADDRESSES,
        default_interface: str = DEFAULT_ROUTE_INTERFACE,
    ) -> None:
        self.entries = entries
        self.default_interface = default_interface

    def is_local(self, address: str) -> bool:
        ip = IPv4(address)
        return ip.is_loopback or any(entry.address.ip == ip for entry in self.entries)

    def is_broadcast(self, address: str) -> bool:
        ip = IPv4(address)
        return ip == IPv4("255.255.255.255") or any(
            entry.address.network.broadcast_address == ip for entry in self.entries
        )

    def address_type(self, address: str) -> set[str]:
        """The `dst-address-type`/`src-address-type` values an address has."""
        ip = IPv4(address)
        if self.is_broadcast(address):
            return {"broadcast"}
        if ip.is_multicast:
            return {"multicast"}
        types = {"unicast"}
        if self.is_local(address):
            types.add("local")
        return types

    def out_interface(self, destination: str) -> str:
        """The interface a packet to `destination` leaves by: a connected subnet, else default."""
        ip = IPv4(destination)
        for entry in self.entries:
            if ip in entry.address.network:
                return entry.interface
        return self.default_interface

    def address_on(self, interface: str) -> str | None:
        """The router's (first) address on an interface: what masquerade rewrites the source to."""
        for entry in self.entries:
            if entry.interface == interface:
                return str(entry.address.ip)
        return None
