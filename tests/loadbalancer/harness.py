"""The load balancer's end-to-end harness: a stack's program (`declare_site`, as `__main__.py`
runs it) captured under mocks and applied through Pulumi's real provider host to a simulated
router that plays the stack's router; and clients sent through the router's data plane.

A `Deployment` is one stack on one simulator. Its config is the stack file's, with the router
settings pointed at the simulator (host, port; for a TLS stack the simulator's CA file), so what
is tested is the stack as committed, not a copy of it.
"""

from __future__ import annotations

import copy
import ipaddress
import random
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from components.program import declare_site
from engine_standin.capture import Registration, capture
from engine_standin.driver import Driver, Step
from simulator import Simulator
from tests.lifecycle.routers import PASSWORD, STACK_CONFIG, counts, host_env

ROOT = Path(__file__).resolve().parents[2]
MANGLE = "/ip/firewall/mangle"
NAT = "/ip/firewall/nat"
SCRIPTS = "/system/script"
SCHEDULERS = "/system/scheduler"
NETWATCH = "/tool/netwatch"
CONNECTIONS = "/ip/firewall/connection"
TAGGED_PATHS = (MANGLE, NAT, NETWATCH)
NAMED_PATHS = (SCRIPTS, SCHEDULERS)
# Commands that change the router: configuration writes and script runs.
WRITES = frozenset({"add", "set", "remove", "move", "unset", "enable", "disable", "run"})
SERVICES_KEY = "routeros-lb:services"


def stack_file_config(stack: str) -> dict[str, Any]:
    text = (ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text()
    return dict(yaml.safe_load(text)["config"])


def router_version(stack: str) -> str:
    """The RouterOS version the stack's router runs, as the simulator's profile names it."""
    return {"home": "6.49", "staging": "7.20", "dev": "7.20"}[stack]


@contextmanager
def stack_router(stack: str, *, seed_defconf: bool = False) -> Iterator[Simulator]:
    """A simulator playing the stack's router: its version, its API user (password: PASSWORD),
    API-SSL when the stack uses TLS."""
    config = stack_file_config(stack)
    sim = Simulator(version=router_version(stack),
                    username=config.get("routeros:username", "admin"), password=PASSWORD,
                    tls=bool(config.get("routeros:tls")), seed_defconf=seed_defconf)
    with sim:
        yield sim


def ops(steps: Iterable[Step]) -> dict[str, str]:
    return {step.urn.rsplit("::", 1)[1]: step.op for step in steps}


def writes_since(before: Counter[str], sim: Simulator) -> dict[str, int]:
    delta = counts(sim) - before
    return {command: n for command, n in delta.items() if command.rsplit("/", 1)[1] in WRITES}


@dataclass
class Deployment:
    """One stack applied to one simulated router by the engine stand-in."""

    stack: str
    sim: Simulator
    config: dict[str, Any] = field(default_factory=dict)
    driver: Driver = field(default_factory=lambda: Driver(STACK_CONFIG, env=host_env()))

    def __post_init__(self) -> None:
        if not self.config:
            self.config = stack_file_config(self.stack)
        self.config["routeros:host"] = self.sim.host
        self.config["routeros:port"] = self.sim.port
        if self.sim.tls:
            self.config["routeros:caFile"] = str(self.sim.ca_file)

    # -- the stack's config ----------------------------------------------------------------

    @property
    def services(self) -> dict[str, Any]:
        return self.config[SERVICES_KEY]

    def service(self, name: str | None = None) -> dict[str, Any]:
        return self.services[name or next(iter(self.services))]

    def edited(self) -> dict[str, Any]:
        """A deep copy of the config to change and pass to `up(config)`."""
        return copy.deepcopy(self.config)

    # -- the engine's commands -------------------------------------------------------------

    def program(self, config: dict[str, Any] | None = None) -> list[Registration]:
        return capture(declare_site, stack=self.stack, config=config or self.config)

    def up(self, config: dict[str, Any] | None = None) -> dict[str, str]:
        """`pulumi up`; with `config`, that config becomes the stack's from now on."""
        if config is not None:
            self.config = config
        return ops(self.driver.up(self.program()))

    def preview(self, config: dict[str, Any] | None = None) -> dict[str, str]:
        return ops(self.driver.preview(self.program(config)))

    def refresh(self) -> dict[str, tuple[str, ...]]:
        return {step.urn.rsplit("::", 1)[1]: step.changed if step.op == "refresh" else ("gone",)
                for step in self.driver.refresh()}

    def destroy(self) -> None:
        self.driver.destroy()

    def leaks(self) -> list[str]:
        texts = [repr(self.driver.state), *self.driver.logs]
        return [text[:200] for text in texts if PASSWORD in text]

    # -- what is on the router -------------------------------------------------------------

    def ours(self) -> dict[str, list[dict[str, str]]]:
        """Every object of ours on the router: tagged rules and probes, named scripts and
        schedulers, by path."""
        found: dict[str, list[dict[str, str]]] = {}
        for path in TAGGED_PATHS:
            found[path] = [dict(item.props, id=item.printed_id)
                           for item in self.sim.router.menus[path].items
                           if "[lb:" in item.props.get("comment", "")]
        names = script_names(self.driver)
        for path in NAMED_PATHS:
            found[path] = [dict(item.props, id=item.printed_id)
                           for item in self.sim.router.menus[path].items
                           if item.props.get("name") in names]
        return found

    def state_of(self, name: str) -> Any:
        return next(entry for urn, entry in self.driver.state.items()
                    if urn.rsplit("::", 1)[1] == name)


def script_names(driver: Driver) -> set[str]:
    return {entry.inputs["name"] for entry in driver.state.values()
            if entry.type.endswith((":Script", ":Scheduler"))}


def everything(sim: Simulator) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """Every configuration item of the menus a load balancer touches, with its id, minus the
    runtime counters: to compare a router before and after."""
    out = {}
    for path in (MANGLE, NAT, SCRIPTS, SCHEDULERS, NETWATCH):
        out[path] = [(item.printed_id, {k: v for k, v in item.props.items()
                                        if k not in RUNTIME_PROPS})
                     for item in sim.router.menus[path].items]
    return out


RUNTIME_PROPS = frozenset({"bytes", "packets", "run-count", "last-started", "next-run", "status",
                           "since", "done-tests", "failed-tests"})


# -- clients -------------------------------------------------------------------------------

def random_clients(n: int, seed: int = 1) -> list[str]:
    """`n` distinct public-looking IPv4 client addresses, the same for a seed."""
    rng = random.Random(seed)  # noqa: S311 - test clients, not secrets
    picked: set[str] = set()
    while len(picked) < n:
        address = ipaddress.IPv4Address(rng.getrandbits(32))
        if address.is_global and not address.is_multicast:
            picked.add(str(address))
    return sorted(picked)


def connect(sim: Simulator, clients: Iterable[str], frontend: str, port: int, src_port: int,
            **kwargs: Any) -> dict[str, Any]:
    """Each client's new connection to the frontend: its `ConnectionResult`."""
    return {client: sim.open_connection(client, src_port, frontend, port, **kwargs)
            for client in clients}


def servers(results: dict[str, Any]) -> dict[str, str]:
    """client → the address its connection reached (`router` when the router took it)."""
    return {client: ("router" if r.to_router else r.destination.address)
            for client, r in results.items()}
