"""The services the benchmark deploys: N servers behind one frontend, equal or mixed weights."""

from __future__ import annotations

from collections.abc import Sequence

from balancer.model import SitePlan
from balancer.plan import plan
from balancer.spec import LbSite, ServiceSpec

SITE = "bench"
SERVICE = "web"
VERSION = "7.20"
FRONTEND = "198.51.100.10"  # TEST-NET-2: configuration only, nothing connects to it
# Weights of the mixed case (N = 8): what a fleet of old and new machines looks like.
MIXED = (1, 1, 2, 2, 3, 3, 4, 4)


def server_address(index: int) -> str:
    # Private addresses are configuration here: the simulator's hosts are virtual.
    return f"10.1.{index // 250}.{10 + index % 250}"


def site(weights: Sequence[int]) -> LbSite:
    spec = ServiceSpec.model_validate({
        "frontend": {"address": FRONTEND, "ports": 80},
        "servers": {f"s{i}": {"address": server_address(i), "weight": w}
                    for i, w in enumerate(weights)},
        "health": {"type": "icmp", "interval": "10s", "timeout": "1s"},
    })
    return LbSite(name=SITE, services={SERVICE: spec})


def plan_for(weights: Sequence[int]) -> SitePlan:
    return plan(site(weights), VERSION)
