"""Connection tracking: one entry per open connection, shown in `/ip/firewall/connection`.

The data plane decides a connection's fate on its first packet; the entry remembers it, so later
packets of the same 5-tuple follow the entry and not the (possibly changed) rules. Removing an
entry through the API (as failover scripts do) makes the next packet a new connection. Idle
entries expire after their protocol's timeout on the virtual clock.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from simulator.menus.engine import format_id

PATH = "/ip/firewall/connection"

# RouterOS' defaults for a connection that saw replies: tcp-established-timeout 1d,
# udp-stream-timeout 3m, icmp-timeout 10s, generic-timeout 10m.
TIMEOUTS = {"tcp": 86400.0, "udp": 180.0, "icmp": 10.0}
GENERIC_TIMEOUT = 600.0
_TIMEOUT_TEXT = {86400.0: "1d", 180.0: "3m", 10.0: "10s", 600.0: "10m"}
PORTED = ("tcp", "udp", "sctp", "udp-lite", "dccp")

Key = tuple[str, str, int, str, int]  # protocol, src, src port, dst, dst port (original direction)


@dataclass(frozen=True)
class Endpoint:
    address: str
    port: int

    def __str__(self) -> str:
        return f"{self.address}:{self.port}"


@dataclass
class Entry:
    item_id: int
    key: Key
    result: Any  # the first packet's ConnectionResult, as later packets report it
    timeout: float
    last_seen: float


class Conntrack:
    def __init__(self, router: Any) -> None:
        self.router = router
        self._by_key: dict[Key, Entry] = {}
        self._by_id: dict[int, Entry] = {}

    def install(self) -> None:
        self.router.on_change.append(self._changed)

    def lookup(
        self, protocol: str, src: str, src_port: int, dst: str, dst_port: int
    ) -> Entry | None:
        entry = self._by_key.get((protocol, src, src_port, dst, dst_port))
        if entry is not None:
            entry.last_seen = self.router.clock.now()
        return entry

    def open(self, result: Any) -> Any:
        """Add the entry for a new connection; returns `result` with its `connection_id`."""
        protocol = result.protocol
        timeout = TIMEOUTS.get(protocol, GENERIC_TIMEOUT)
        props = {
            "protocol": protocol,
            "src-address": _endpoint_text(result.client, protocol),
            "dst-address": _endpoint_text(result.original_destination, protocol),
            "reply-src-address": _endpoint_text(result.destination, protocol),
            "reply-dst-address": _endpoint_text(result.source, protocol),
            "timeout": _TIMEOUT_TEXT[timeout],
        }
        if result.connection_mark:
            props["connection-mark"] = result.connection_mark
        if protocol == "tcp":
            props["tcp-state"] = "established"
        item = self.router.add_dynamic(PATH, props)
        result = dataclasses.replace(result, connection_id=format_id(item.id))
        key = (protocol, result.client.address, result.client.port,
               result.original_destination.address, result.original_destination.port)
        later = dataclasses.replace(result, new=False, evaluated={}, matched=(), unsupported=())
        entry = Entry(item.id, key, later, timeout, self.router.clock.now())
        self._by_key[key] = entry
        self._by_id[item.id] = entry
        self.router.clock.call_later(timeout, lambda: self._expire(entry))
        return result

    def entries(self) -> list[Entry]:
        return list(self._by_key.values())

    def clear(self) -> None:
        """Forget every connection (a reboot)."""
        self.router.remove_items(PATH, list(self._by_id))
        self._by_key.clear()
        self._by_id.clear()

    def _forget(self, item_id: int) -> None:
        entry = self._by_id.pop(item_id, None)
        if entry is not None:
            self._by_key.pop(entry.key, None)

    def _changed(self, path: str, verb: str, ids: list[int]) -> None:
        if path == PATH and verb == "remove":
            for item_id in ids:
                self._forget(item_id)

    def _expire(self, entry: Entry) -> None:
        if self._by_id.get(entry.item_id) is not entry:
            return  # removed meanwhile
        due = entry.last_seen + entry.timeout
        if due > self.router.clock.now():
            self.router.clock.call_at(due, lambda: self._expire(entry))
            return
        self.router.remove_items(PATH, [entry.item_id])
        self._forget(entry.item_id)


def _endpoint_text(endpoint: Endpoint, protocol: str) -> str:
    return str(endpoint) if protocol in PORTED else endpoint.address
