"""Helpers for behaviour tests: an unstarted simulator (in-process calls) and `cmd`."""

from __future__ import annotations

from typing import Any

from simulator.api import Request
from simulator.harness import Simulator


def make_sim(version: str = "7.20") -> Simulator:
    """A simulator whose router is driven in-process; its server is never started."""
    return Simulator(version=version)


def cmd(sim: Simulator, command: str, **attributes: Any) -> Any:
    """`router.call` with `_` in keyword names meaning `-` (`dst_port="80"`)."""
    attrs = {k.replace("_", "-"): str(v) for k, v in attributes.items()}
    attrs = {(".id" if k == "id" else k): v for k, v in attrs.items()}
    return sim.router.call(Request(command, attrs))


def add(sim: Simulator, path: str, **attributes: Any) -> str:
    return cmd(sim, f"{path}/add", **attributes).ret


def props(sim: Simulator, path: str, item_id: str) -> dict[str, str]:
    return cmd(sim, f"{path}/get", id=item_id).items[0]


MANGLE = "/ip/firewall/mangle"
NAT = "/ip/firewall/nat"
CONNECTION = "/ip/firewall/connection"
