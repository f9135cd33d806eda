"""The data plane: where a connection's first packet goes, through mangle and NAT.

A new connection walks, in order: mangle `prerouting`, NAT `dstnat`, then — when it is forwarded,
not for the router itself — NAT `srcnat` (masquerade and src-nat, for the hairpin case).
Rules are read from the menus in their order each time, so configuration changes apply to the
next new connection; disabled rules are skipped and not counted as evaluated. A packet of an
existing connection follows its conntrack entry and touches no rule (see `conntrack.py`).

Counters: each rule that matches a first packet counts one packet of `PACKET_SIZE` bytes into its
`packets`/`bytes` properties. Only first packets are walked, so counters count new connections.

Not modelled [simulator limits]: the filter table and the mangle chains other than `prerouting`
(input, forward, output, postrouting) are never walked — their rules neither match nor count;
packet-level actions (change-*, log, sniff-*, route, fasttrack) count and do nothing.
`add-src-to-address-list`/`add-dst-to-address-list` add a dynamic `/ip/firewall/address-list`
entry (`address-list`, `address-list-timeout`; no timeout means until the next reboot).
`connection-nat-state` is empty in mangle prerouting and dstnat, `dstnat` in srcnat after a
dst-nat or redirect.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

from simulator.addresses import RouterAddresses
from simulator.api import CommandError, Request, Response
from simulator.conntrack import Conntrack, Endpoint
from simulator.hosts import Hosts
from simulator.matchers import MatchContext, Packet, UnsupportedMatcherError, matches
from simulator.menus.engine import Item
from simulator.menus.interfaces import in_list
from simulator.schema import format_seconds, parse_seconds

# A TCP SYN with the usual options (MSS, SACK, timestamps, window scale) is 60 bytes of IPv4.
PACKET_SIZE = 60
# RouterOS refuses jump loops when rules are added; the cap only keeps a bad table from recursing.
MAX_JUMP_DEPTH = 32

MANGLE = "/ip/firewall/mangle"
NAT = "/ip/firewall/nat"
ADDRESS_LIST = "/ip/firewall/address-list"


class _Outcome(Enum):
    CONTINUE = "continue"  # fell off the end of a chain or hit `return`
    STOP = "stop"  # a terminating action: the table is done with this packet


@dataclass(frozen=True)
class ConnectionResult:
    """Where a connection goes and what the rules did to its first packet.

    `destination` is where the connection ends up (after dst-nat); `to_router` says that is the
    router itself. `source` is the client as the server sees it (after srcnat). `evaluated` counts
    the rules the first packet was checked against, per stage (`mangle`, `dstnat`, `srcnat`);
    `matched` lists `(menu, id)` of the rules that matched, in order. A packet of an existing
    connection (`new=False`) reports its entry's outcome and evaluated no rule.
    """

    new: bool
    protocol: str
    client: Endpoint
    original_destination: Endpoint
    destination: Endpoint
    source: Endpoint
    to_router: bool
    connection_mark: str | None
    packet_mark: str | None = None
    routing_mark: str | None = None
    reachable: bool = True
    connection_id: str | None = None
    evaluated: dict[str, int] = field(default_factory=dict)
    matched: tuple[tuple[str, str], ...] = ()
    unsupported: tuple[str, ...] = ()

    @property
    def rules_evaluated(self) -> int:
        return sum(self.evaluated.values())

    @property
    def server(self) -> str:
        """`router`, or the destination as `ip:port`."""
        return "router" if self.to_router else str(self.destination)

    @property
    def srcnat(self) -> Endpoint | None:
        """The translated source, when srcnat changed it."""
        return self.source if self.source != self.client else None


@dataclass
class _Walk:
    """The mutable state of one first packet's walk."""

    packet: Packet
    evaluated: dict[str, int] = field(
        default_factory=lambda: {"mangle": 0, "dstnat": 0, "srcnat": 0}
    )
    matched: list[tuple[str, str]] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    dst_nat: Endpoint | None = None
    to_router: bool = False
    src_nat: Endpoint | None = None


class DataPlane:
    def __init__(
        self, router, conntrack: Conntrack, hosts: Hosts, addresses: RouterAddresses
    ) -> None:
        self.router = router
        self.conntrack = conntrack
        self.hosts = hosts
        self.addresses = addresses
        self.context = MatchContext(addresses, self._address_list,
                                    lambda name, interface: in_list(router, name, interface))

    def install(self) -> None:
        for path in (MANGLE, NAT):
            self.router.register(path, "reset-counters", self._reset_counters)
            self.router.register(path, "reset-counters-all", self._reset_counters_all)

    def reboot(self) -> None:
        """Counters start at zero; dynamic address-list entries (the rules' own) are gone."""
        for path in (MANGLE, NAT):
            for item in self.router.list_menu(path).items:
                _reset(item.props)
        menu = self.router.list_menu(ADDRESS_LIST)
        self.router.remove_items(ADDRESS_LIST, [item.id for item in menu.items if item.dynamic])

    # ----------------------------------------------------------------- connections

    def open_connection(
        self,
        src: str,
        src_port: int,
        dst: str,
        dst_port: int,
        protocol: str = "tcp",
        in_interface: str = "ether1",
    ) -> ConnectionResult:
        """Send a packet from `src:src_port` to `dst:dst_port`.

        The first packet of a 5-tuple opens a connection (walks the rules, adds a conntrack
        entry); later ones, while the entry exists, follow it.
        """
        existing = self.conntrack.lookup(protocol, src, src_port, dst, dst_port)
        if existing is not None:
            return existing.result
        walk = _Walk(Packet(src, src_port, dst, dst_port, protocol, in_interface))
        self._run_chain(MANGLE, "prerouting", walk, "mangle", 0)
        self._run_chain(NAT, "dstnat", walk, "dstnat", 0)
        destination = walk.dst_nat or Endpoint(dst, dst_port)
        to_router = walk.to_router or self.addresses.is_local(destination.address)
        source = Endpoint(src, src_port)
        if not to_router:
            if walk.dst_nat is not None:
                walk.packet.nat_state = "dstnat"
            walk.packet.dst, walk.packet.dst_port = destination.address, destination.port
            walk.packet.out_interface = self.addresses.out_interface(destination.address)
            self._run_chain(NAT, "srcnat", walk, "srcnat", 0)
            source = walk.src_nat or source
        reachable = to_router or self.hosts.accepts(destination.address, destination.port, protocol)
        result = ConnectionResult(
            new=True,
            protocol=protocol,
            client=Endpoint(src, src_port),
            original_destination=Endpoint(dst, dst_port),
            destination=destination,
            source=source,
            to_router=to_router,
            connection_mark=walk.packet.connection_mark,
            packet_mark=walk.packet.packet_mark,
            routing_mark=walk.packet.routing_mark,
            reachable=reachable,
            evaluated=dict(walk.evaluated),
            matched=tuple(walk.matched),
            unsupported=tuple(walk.unsupported),
        )
        return self.conntrack.open(result)

    def _rules(self, path: str, chain: str) -> Iterator:
        menu = self.router.menus.get(path)
        if menu is None:
            return
        # A snapshot: a rule added while walking is for the next connection.
        for item in list(menu.items):
            if item.props.get("chain") == chain and item.props.get("disabled") != "true":
                yield item

    def _run_chain(self, path: str, chain: str, walk: _Walk, stage: str, depth: int) -> _Outcome:
        if depth > MAX_JUMP_DEPTH:
            walk.unsupported.append(f"jump depth over {MAX_JUMP_DEPTH} at chain {chain}")
            return _Outcome.STOP
        for item in self._rules(path, chain):
            walk.evaluated[stage] += 1
            try:
                if not matches(item.props, walk.packet, self.context):
                    continue
            except UnsupportedMatcherError as error:
                walk.unsupported.append(f"{path} *{item.id:X}: {error}")
                continue
            _count(item.props)
            walk.matched.append((path, f"*{item.id:X}"))
            action = item.props.get("action", "accept")
            if action == "jump":
                target = item.props.get("jump-target", "")
                if self._run_chain(path, target, walk, stage, depth + 1) is _Outcome.STOP:
                    return _Outcome.STOP
                continue
            if action == "return":
                return _Outcome.CONTINUE
            if action in ("add-src-to-address-list", "add-dst-to-address-list"):
                self._add_to_address_list(action, item.props, walk.packet)
                continue
            act = self._mangle_action if path == MANGLE else self._nat_action
            if act(action, item.props, walk) is _Outcome.STOP:
                return _Outcome.STOP
        return _Outcome.CONTINUE

    @staticmethod
    def _mangle_action(action: str, props: dict[str, str], walk: _Walk) -> _Outcome:
        packet = walk.packet
        if action == "accept":
            return _Outcome.STOP
        if action == "mark-connection":
            packet.connection_mark = _mark(props.get("new-connection-mark"))
        elif action == "mark-packet":
            packet.packet_mark = _mark(props.get("new-packet-mark"))
        elif action == "mark-routing":
            packet.routing_mark = _mark(props.get("new-routing-mark"))
        else:
            return _Outcome.CONTINUE  # log, passthrough, change-*, …: counted, no effect here
        # An unset passthrough is RouterOS's default, yes.
        return _Outcome.STOP if props.get("passthrough") in ("false", "no") else _Outcome.CONTINUE

    def _nat_action(self, action: str, props: dict[str, str], walk: _Walk) -> _Outcome:
        packet = walk.packet
        if action == "accept":
            return _Outcome.STOP
        if packet.out_interface is None:  # dstnat stage
            if action in ("dst-nat", "netmap", "same"):
                address = _first(props.get("to-addresses")) or packet.dst
                port = _first_port(props.get("to-ports"), packet.dst_port)
                walk.dst_nat = Endpoint(address, port)
                return _Outcome.STOP
            if action == "redirect":
                address = self.addresses.address_on(packet.in_interface) or "127.0.0.1"
                port = _first_port(props.get("to-ports"), packet.dst_port)
                walk.dst_nat = Endpoint(address, port)
                walk.to_router = True
                return _Outcome.STOP
            return _Outcome.CONTINUE
        if action == "masquerade":
            address = self.addresses.address_on(packet.out_interface) or packet.src
            walk.src_nat = Endpoint(address, _first_port(props.get("to-ports"), packet.src_port))
            return _Outcome.STOP
        if action in ("src-nat", "netmap", "same"):
            address = _first(props.get("to-addresses")) or packet.src
            walk.src_nat = Endpoint(address, _first_port(props.get("to-ports"), packet.src_port))
            return _Outcome.STOP
        return _Outcome.CONTINUE

    def _add_to_address_list(self, action: str, props: dict[str, str], packet: Packet) -> None:
        name = props.get("address-list")
        if not name:
            return
        address = packet.src if action == "add-src-to-address-list" else packet.dst
        menu = self.router.list_menu(ADDRESS_LIST)
        if any(item.props.get("list") == name and item.props.get("address") == address
               for item in menu.items):
            return  # RouterOS keeps one entry per list and address
        entry = {"list": name, "address": address, "creation-time": self.router.now_text()}
        timeout = props.get("address-list-timeout", "")
        seconds = parse_seconds(timeout) if timeout and timeout[0].isdigit() else 0.0
        if seconds > 0:
            entry["timeout"] = format_seconds(seconds)
        added = self.router.add_dynamic(ADDRESS_LIST, entry)
        if seconds > 0:
            self.router.clock.call_later(seconds, lambda: self._expire_listed(added))

    def _expire_listed(self, entry: Item) -> None:
        menu = self.router.list_menu(ADDRESS_LIST)
        if any(item is entry for item in menu.items):  # not removed (or rebooted away) meanwhile
            self.router.remove_items(ADDRESS_LIST, [entry.id])

    def _address_list(self, name: str) -> list[str]:
        menu = self.router.menus.get("/ip/firewall/address-list")
        if menu is None:
            return []
        return [
            item.props.get("address", "")
            for item in menu.items
            if item.props.get("list") == name and item.props.get("disabled") != "true"
        ]

    # ----------------------------------------------------------------- counters

    @staticmethod
    def _reset_counters(router, request: Request) -> Response:
        menu = router.list_menu(request.path)
        wanted = request.attributes.get(".id", request.attributes.get("numbers"))
        if wanted is None:
            raise CommandError("missing =.id=")
        for item in menu.resolve_list(wanted):
            _reset(item.props)
        return Response()

    @staticmethod
    def _reset_counters_all(router, request: Request) -> Response:
        for item in router.menus[request.path].items:
            _reset(item.props)
        return Response()


def _count(props: dict[str, str]) -> None:
    props["packets"] = str(int(props.get("packets", "0") or 0) + 1)
    props["bytes"] = str(int(props.get("bytes", "0") or 0) + PACKET_SIZE)


def _reset(props: dict[str, str]) -> None:
    props["packets"] = "0"
    props["bytes"] = "0"


def _mark(value: str | None) -> str | None:
    return None if value in (None, "", "no-mark") else value


def _first(spec: str | None) -> str | None:
    """The first address of `a`, `a-b` or `a/n`: this simulator always picks the first."""
    if not spec:
        return None
    return spec.split("-", 1)[0].split("/", 1)[0]


def _first_port(spec: str | None, default: int) -> int:
    if not spec:
        return default
    return int(spec.split("-", 1)[0].split(",", 1)[0])
