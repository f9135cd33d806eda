"""The deployed load balancer at work in the simulator: rule evaluations and failover time.

Both run on a router the benchmark has deployed a service to, on the simulator's virtual clock
(no wall time involved): `evaluations` opens connections through the data plane and counts the
rules their first packet was checked against; `failover` marks a server down and advances the
clock until every one of its clients is served by another server.
"""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass
from typing import Any

from balancer.model import ServicePlan
from balancer.spec import duration_seconds

CLIENT_NET = "100.64."  # carrier-grade NAT space: clients the simulator invents, never contacted
OTHER_TRAFFIC = ("192.0.2.80", 443)  # TEST-NET-1: not the service


@dataclass
class Frontend:
    address: str
    port: int
    protocol: str


def frontend(plan: ServicePlan) -> Frontend:
    front: Any = plan.summary["frontend"]
    port = str(front["dst-port"]).split(",")[0].split("-")[0]
    return Frontend(str(front["dst-address"]), int(port), str(front.get("protocol", "tcp")))


def _clients(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    picked: set[str] = set()
    while len(picked) < count:
        picked.add(f"{CLIENT_NET}{rng.randrange(0, 256)}.{rng.randrange(1, 255)}")
    return sorted(picked)


class _Ports:
    """A fresh source port per connection, so each one is new to conntrack."""

    def __init__(self) -> None:
        self._next = 20000

    def __call__(self) -> int:
        self._next = 20000 if self._next >= 65000 else self._next + 1
        return self._next


def evaluations(sim: Any, plan: ServicePlan, clients: int = 300, seed: int = 1) -> dict[str, Any]:
    """Rules checked per new connection: for the service (mean and max over `clients`) and for
    other traffic, per stage and in total."""
    front = frontend(plan)
    port = _Ports()
    totals = []
    for client in _clients(clients, seed):
        result = sim.open_connection(client, port(), front.address, front.port, front.protocol)
        totals.append(sum(result.evaluated.values()))
    other = sim.open_connection(_clients(1, seed + 1)[0], port(), *OTHER_TRAFFIC)
    return {
        "service": {"mean": round(statistics.fmean(totals), 1), "max": max(totals)},
        "other": {"total": sum(other.evaluated.values()), **other.evaluated},
    }


def failover(sim: Any, plan: ServicePlan, clients: int = 200, step: float = 0.25,
             trials: int = 8, seed: int = 2) -> dict[str, Any]:
    """Virtual seconds from a server failing to all its clients reaching other servers.

    The failure lands at `trials` phases spread over one probe interval (netwatch probes on its
    own schedule); between trials the server recovers and every client is back home.
    """
    probe = next(obj for obj in plan.objects if obj.menu == "netwatch")
    interval = duration_seconds(probe.properties.get("interval", "10s"))
    timeout = duration_seconds(probe.properties.get("timeout", "1s"))
    front = frontend(plan)
    port = _Ports()
    crowd = _clients(clients, seed)
    sim.advance(2 * interval + 10)  # past start-delay: every probe has seen its server up

    def destination(client: str) -> str:
        return sim.open_connection(client, port(), front.address, front.port,
                                   front.protocol).destination.address

    home = {client: destination(client) for client in crowd}
    victim = max(set(home.values()), key=list(home.values()).count)
    theirs = [client for client, server in home.items() if server == victim]
    times = []
    for trial in range(trials):
        sim.advance(interval * trial / trials)
        sim.set_host(victim, up=False)
        elapsed = 0.0
        while any(destination(client) == victim for client in theirs):
            if elapsed > 10 * interval:
                raise RuntimeError(f"{victim}'s clients never moved in {elapsed:.0f} s")
            sim.advance(step)
            elapsed += step
        times.append(elapsed)
        sim.set_host(victim, up=True)
        recovered = 0.0
        while any(destination(client) != victim for client in theirs):
            if recovered > 10 * interval:
                raise RuntimeError(f"{victim}'s clients never came back in {recovered:.0f} s")
            sim.advance(step)
            recovered += step
    return {"interval": interval, "timeout": timeout, "target": interval + timeout,
            "clients_moved": len(theirs), "phases": times, "seconds": {"max": max(times),
                                                      "mean": round(statistics.fmean(times), 2)},
            "step": step}
