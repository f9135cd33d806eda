"""Made-up clients through a simulated router's data plane: where each one's new connection goes.

`clients(n, seed)` are distinct public-looking IPv4 addresses (the same ones for the same seed);
`send(sim, clients, frontend)` opens one new connection per client (a fresh source port each time,
as a client's next connection would) and reports where each went and how many rules its first
packet met. Shared by `lab.simulate` and the demo.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

UNSERVED = "unserved"  # the connection went to a server that does not answer, or to the router


@dataclass(frozen=True)
class Frontend:
    address: str
    port: int
    protocol: str = "tcp"
    interface: str = "ether1"


@dataclass
class Outcome:
    """Where each client's connection went (server address, or `UNSERVED`) and the rules met."""

    served_by: dict[str, str] = field(default_factory=dict)
    rules: list[int] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        return Counter(self.served_by.values())

    def share(self, address: str) -> float:
        return self.counts()[address] / len(self.served_by) if self.served_by else 0.0

    @property
    def rules_mean(self) -> float:
        return sum(self.rules) / len(self.rules) if self.rules else 0.0

    @property
    def rules_max(self) -> int:
        return max(self.rules, default=0)


def clients(count: int, seed: int = 1) -> list[str]:
    """`count` distinct client addresses in 1.0.0.0-126.255.255.255 outside 10/8."""
    rng = random.Random(seed)  # noqa: S311 - made-up clients, not secrets
    seen: set[str] = set()
    while len(seen) < count:
        first = rng.randint(1, 126)
        if first != 10:
            seen.add(f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}")
    return sorted(seen, key=lambda a: tuple(int(p) for p in a.split(".")))


_ports = itertools.count()


def _next_port() -> int:
    return 1024 + next(_ports) % 60000


def send(sim: Any, addresses: Iterable[str], frontend: Frontend,
         progress: Callable[[], None] | None = None) -> Outcome:
    """One new connection per client to the frontend."""
    outcome = Outcome()
    for client in addresses:
        result = sim.open_connection(client, _next_port(), frontend.address, frontend.port,
                                     protocol=frontend.protocol, in_interface=frontend.interface)
        served = result.destination.address if result.reachable and not result.to_router \
            else UNSERVED
        outcome.served_by[client] = served
        outcome.rules.append(result.rules_evaluated)
        if progress is not None:
            progress()
    return outcome


def moved(before: Outcome, after: Outcome, among: Iterable[str] | None = None) -> int:
    """Clients (of `among`, default all) whose server differs between two outcomes."""
    keys = before.served_by.keys() if among is None else among
    return sum(1 for client in keys if before.served_by.get(client) != after.served_by.get(client))
