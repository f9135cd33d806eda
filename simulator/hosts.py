"""The world outside the router: which hosts answer, on which ports, with which HTTP code.

Tests decide (`set_host`); nothing is ever sent on a real network. A host nobody mentioned is
up, with every port open and HTTP answering 200, so a fresh configuration sees healthy servers.
Marking a whole host up again clears what was said about its ports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_HTTP_CODE = 200


@dataclass
class Hosts:
    _down: set[str] = field(default_factory=set)
    _closed: set[tuple[str, int]] = field(default_factory=set)
    _http_codes: dict[tuple[str, int], int] = field(default_factory=dict)

    def set_host(
        self, address: str, up: bool = True, port: int | None = None, http_code: int | None = None
    ) -> None:
        """Mark a host (or, with `port`, one of its ports) up or down; `http_code` sets what
        an HTTP request to that port answers (port 80 when no port is given)."""
        if port is None:
            if up:
                self._down.discard(address)
                self._closed = {key for key in self._closed if key[0] != address}
                self._http_codes = {k: v for k, v in self._http_codes.items() if k[0] != address}
            else:
                self._down.add(address)
        elif up:
            self._closed.discard((address, port))
        else:
            self._closed.add((address, port))
        if http_code is not None:
            self._http_codes[(address, 80 if port is None else port)] = http_code

    def reachable(self, address: str) -> bool:
        """Answers ICMP echo."""
        return address not in self._down

    def port_open(self, address: str, port: int) -> bool:
        return self.reachable(address) and (address, port) not in self._closed

    def http_code(self, address: str, port: int) -> int | None:
        """What an HTTP GET answers, or None when nothing answers."""
        if not self.port_open(address, port):
            return None
        return self._http_codes.get((address, port), DEFAULT_HTTP_CODE)

    def accepts(self, address: str, port: int, protocol: str) -> bool:
        """Whether a connection to `address:port` would be answered."""
        if protocol in ("tcp", "udp", "6", "17"):
            return self.port_open(address, port)
        return self.reachable(address)
