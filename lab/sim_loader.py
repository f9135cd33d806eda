"""Put a stack's plan on a fresh simulated router, the way a person would without Pulumi: the
rendered `.rsc` (the site's e-mail settings included) run as a script, then time for netwatch's
first probes.

Used by `lab.simulate`; the demo deploys through Pulumi (or its stand-in) instead.
"""

from __future__ import annotations

from typing import Any

from balancer.spec import duration_seconds
from lab.traffic import Frontend
from simulator.api import Request
from tools.rsc import render
from tools.site_plan import LoadedStack

# v7 netwatch waits `start-delay` (3s) before its first probe of a new entry.
FIRST_PROBE_MARGIN = 5.0


def simulator_version(version: str) -> str:
    """The simulator profile for a plan's version: itself (`6.49`, `7.20`), or for a bare major
    (`7`, the program's default) the newest profile of that major."""
    from simulator.profiles import PROFILES

    if version in PROFILES:
        return version
    same_major = [key for key in PROFILES if key.split(".")[0] == version]
    if same_major:
        return max(same_major, key=lambda key: tuple(int(p) for p in key.split(".")))
    from tools.cli_common import ToolError

    raise ToolError(f"the simulator plays RouterOS {', '.join(PROFILES)}; not {version} "
                    "(choose one with --version)")


def load(sim: Any, loaded: LoadedStack) -> None:
    """The rendered script (e-mail settings and the plan's objects), then netwatch's first look
    at every server."""
    script = render(loaded.plan, email=loaded.site.email)
    sim.router.call(Request("/system/script/add", {"name": "lb-load", "source": script}))
    sim.router.call(Request("/system/script/run", {".id": "lb-load"}))
    sim.router.call(Request("/system/script/remove", {".id": "lb-load"}))
    sim.advance(FIRST_PROBE_MARGIN + max(health_interval(loaded, s) for s in services(loaded)))
    sim.outbox.clear()


def services(loaded: LoadedStack) -> list[str]:
    return sorted(loaded.site.services)


def health_interval(loaded: LoadedStack, service: str) -> float:
    return duration_seconds(loaded.site.services[service].health.interval)


def frontend(sim: Any, loaded: LoadedStack, service: str) -> Frontend:
    """Where a client reaches the service: its address (or the router's address on its
    interface) and its first port."""
    spec = loaded.site.services[service].frontend
    interface = spec.interface or "ether1"
    address = spec.address or sim.behaviour.addresses.address_on(interface)
    if address is None:
        raise ValueError(f"the simulated router has no address on {interface}")
    port = int(spec.ports.split(",")[0].split("-")[0])
    return Frontend(address, port, spec.protocol, interface)
