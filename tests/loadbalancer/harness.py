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
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from balancer.buckets import server_of
from balancer.model import PlannedOrder, ServicePlan, SitePlan
from components.program import declare_site
from components.router_site import RouterSite
from engine_standin.capture import Registration, capture
from engine_standin.driver import Driver, Step
from simulator import Simulator
from simulator.pcc import pcc_hash
from stackconfig.stack_file import read_stack_file
from tests.conftest import connect_api
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
    return dict(read_stack_file(ROOT / "stacks" / f"Pulumi.{stack}.yaml").config)


def router_version(stack: str) -> str:
    """The RouterOS version the stack's router runs, as the simulator's profile names it."""
    return {"home": "6.49", "staging": "7.20", "dev": "7.20"}[stack]


@contextmanager
def stack_router(stack: str, *, seed_defconf: bool = False) -> Iterator[Simulator]:
    """A simulator playing the stack's router: its version, its API user (password: PASSWORD),
    API-SSL when the stack uses TLS."""
    config = stack_file_config(stack)
    tls = str(config.get("routeros:tls")).lower() == "true"  # a scalar is the text written
    sim = Simulator(version=router_version(stack),
                    username=config.get("routeros:username", "admin"), password=PASSWORD,
                    tls=tls, seed_defconf=seed_defconf)
    with sim:
        yield sim


def ops(steps: Iterable[Step]) -> dict[str, str]:
    return {step.urn.rsplit("::", 1)[1]: step.op for step in steps}


class ApiWrites:
    """Counts the writes clients send over the API, not those a script they run makes (`/system
    script run` does its work inside the call): what a deployment writes itself.
    Use as a context manager; `counts` by command."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.counts: Counter[str] = Counter()
        self._inside = threading.local()

    def __enter__(self) -> ApiWrites:
        original = self.sim.router.call

        def call(request: Any) -> Any:
            depth = getattr(self._inside, "depth", 0)
            if depth == 0 and request.command.rsplit("/", 1)[1] in WRITES:
                self.counts[request.command] += 1
            self._inside.depth = depth + 1
            try:
                return original(request)
            finally:
                self._inside.depth = depth

        self.sim.router.call = call  # type: ignore[method-assign]
        return self

    def __exit__(self, *_: object) -> None:
        del self.sim.router.call

    def by_verb(self) -> Counter[str]:
        verbs: Counter[str] = Counter()
        for command, n in self.counts.items():
            verbs[command.rsplit("/", 1)[1]] += n
        return verbs


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
    plan: SitePlan | None = None

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
        """The program's registrations; `self.plan` becomes the site plan it was built from."""
        sites: list[RouterSite] = []
        registrations = capture(lambda: sites.append(declare_site()), stack=self.stack,
                                config=config or self.config)
        self.plan = sites[0].plan
        return registrations

    def up(self, config: dict[str, Any] | None = None,
           program: list[Registration] | None = None) -> dict[str, str]:
        """`pulumi up`; with `config`, that config becomes the stack's from now on. `program`:
        the registrations of that config when they were captured already."""
        if config is not None:
            self.config = config
        return ops(self.driver.up(program or self.program()))

    def preview(self, config: dict[str, Any] | None = None,
                program: list[Registration] | None = None) -> dict[str, str]:
        return ops(self.driver.preview(program or self.program(config)))

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

    def service_plan(self, name: str = "web") -> ServicePlan:
        assert self.plan is not None, "no program captured yet"
        return next(service for service in self.plan.services if service.service == name)

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


@contextmanager
def by_hand(sim: Simulator) -> Iterator[Any]:
    """An admin's own API session (TLS when the router serves it), as WinBox would edit."""
    api = connect_api(sim, username=sim.username, password=PASSWORD)
    try:
        yield api
    finally:
        api.close()


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


# -- what a change must touch ------------------------------------------------------------------

def expected_ops(old: SitePlan, new: SitePlan) -> dict[str, str]:
    """Resource name → the step a change from `old` to `new` must take, for the objects of the
    plans (`same` for the ones that must not be touched). ChainOrders and sync runs are left out:
    their steps depend on ids as well."""
    def objects(plan: SitePlan) -> dict[str, Any]:
        return {obj.key: obj for service in plan.services for obj in service.objects}

    before, after = objects(old), objects(new)
    out: dict[str, str] = {}
    for key, obj in after.items():
        was = before.get(key)
        if was is None:
            out[key] = "create"
        elif _declared(was) == _declared(obj):
            out[key] = "same"
        elif obj.menu == "netwatch" and was.properties.get("type") != obj.properties.get("type"):
            out[key] = "replace"  # each probe type takes its own fields
        else:
            out[key] = "update"
    out.update({key: "delete" for key in before.keys() - after.keys()})
    return out


def _declared(obj: Any) -> tuple:
    """What a resource diffs: properties other than the runtime-owned ones, tag, ownership."""
    props = {k: v for k, v in obj.properties.items() if k not in obj.runtime_owned}
    return (obj.menu, tuple(sorted(props.items())), obj.tag, tuple(sorted(obj.runtime_owned)))


def chain_tags(sim: Simulator, path: str, chain: str) -> list[str | None]:
    """The ownership tags of a chain's rules in router order (None: not ours)."""
    out: list[str | None] = []
    for item in sim.router.menus[path].items:
        if item.props.get("chain") != chain:
            continue
        comment = item.props.get("comment", "")
        out.append(comment.rsplit("[lb:", 1)[1].rstrip("]") if "[lb:" in comment else None)
    return out


def assert_in_order(sim: Simulator, service: ServicePlan) -> None:
    """Every planned order holds on the router: its rules in order, together, at its position
    (top: only the router's own dynamic rules before them)."""
    tag_of = {obj.key: obj.tag for obj in service.objects}
    for order in service.orders:
        path = MANGLE if order.menu == "mangle" else NAT
        tags = chain_tags(sim, path, order.chain)
        wanted = [tag_of[key] for key in order.members]
        assert wanted[0] in tags, (order.key, tags)
        start = tags.index(wanted[0])
        assert tags[start:start + len(wanted)] == wanted, (order.key, tags)
        if order.position == "top":
            head = [item for item in sim.router.menus[path].items
                    if item.props.get("chain") == order.chain][:start]
            assert all(item.dynamic for item in head), order.key
        if order.position == "before":
            after = [item for item in sim.router.menus[path].items
                     if item.props.get("chain") == order.chain][start + len(wanted)]
            assert after.props.get("comment") == order.before_comment, order.key


def orders_of(service: ServicePlan) -> dict[str, PlannedOrder]:
    return {order.key: order for order in service.orders}


# -- where clients should go -------------------------------------------------------------------

def expected_servers(service: ServicePlan, addresses: dict[str, str], clients: Iterable[str],
                     up: Iterable[str], frontend: str, port: int, src_port: int,
                     classifier: str = "src-address") -> dict[str, str | None]:
    """client → the server address the bucket table sends it to with the servers `up` up (by
    name), with the simulator's PCC hash as the router's."""
    table = service.buckets
    slots, groups = len(table.slots), len(table.groups)
    alive = list(up)
    out: dict[str, str | None] = {}
    for client in clients:
        value = pcc_hash(classifier, client, src_port, frontend, port)
        name = server_of(table, alive, value % slots, value % groups)
        out[client] = addresses[name] if name else None
    return out
