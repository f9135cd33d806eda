"""One service's lifecycle against a simulated router, by us, by the peer, and the lower bound.

The steps, in this order on one router: first deploy (empty router), no-op deploy, refresh, add
one server, change one weight, destroy. For each: wall seconds, API commands, writes and reads
(the simulator's counters), and two lower bounds at the simulator's latency per round trip (reads
are not needed to write): serial, the login plus one round trip per object that must be written;
and the critical path, the login plus the writes spread over the provider host's four workers, no
shorter than the longest chain of writes that depend on one another.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from balancer.model import Menu, PlannedObject, SitePlan
from bench.ansible_peer import MENU_ORDER, AnsiblePeer, Target, info_playbook, playbook
from bench.counters import Figures, count_api_only, measuring
from bench.engine import ParallelDriver
from engine_standin.capture import Registration, capture
from engine_standin.host import ProviderHost
from simulator import Simulator

PASSWORD = "bench-only-Kestrel-5512"  # noqa: S105 - the simulator's, for the benchmark only
USERNAME = "admin"
STACK_CONFIG = {"routeros:password": PASSWORD}
VERSION_OBSERVED = "7.20"
# The provider host's worker threads: calls in flight at once, each on its own connection.
WORKERS = 4
STEPS = ("first deploy", "no-op deploy", "refresh", "add one server", "change one weight",
         "destroy")

PlanFor = Callable[[Sequence[int]], SitePlan]
ProgramFor = Callable[[SitePlan, dict[str, Any]], Callable[[], None]]


@dataclass
class StepFigures:
    ours: Figures
    peer: Figures | None = None
    lower_bound_writes: int = 0
    lower_bound_depth: int = 0  # the longest chain of writes that must follow one another
    ops: dict[str, int] = field(default_factory=dict)
    peak_rss: int = 0  # the provider host's, bytes

    def lower_bound(self, latency: float) -> dict[str, Any]:
        """Serial: the login, then one round trip per write, one after another."""
        trips = self.lower_bound_writes + 1
        return {"commands": trips, "writes": self.lower_bound_writes,
                "seconds": round(trips * latency, 4)}

    def critical_path(self, latency: float, workers: int = WORKERS) -> dict[str, Any]:
        """Parallel: the login, then the writes on `workers` connections at once, no sooner
        than the longest chain of dependent writes allows (reads are not needed to write)."""
        rounds = max(self.lower_bound_depth, -(-self.lower_bound_writes // workers))
        return {"rounds": rounds + 1, "depth": self.lower_bound_depth, "workers": workers,
                "seconds": round((rounds + 1) * latency, 4)}


def host_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "ROUTEROS_PASSWORD"}


def router_inputs(sim: Simulator) -> dict[str, Any]:
    return {"host": sim.host, "port": sim.port, "username": USERNAME, "timeout": 30}


def steps_weights(weights: Sequence[int]) -> list[list[int]]:
    """The weights each deploy step declares: as given, again, with one more server, and then
    with the first server's weight doubled."""
    grown = [*weights, 1]
    changed = [grown[0] * 2, *grown[1:]]
    return [list(weights), list(weights), grown, changed]


def _index(plan: SitePlan | None) -> dict[str, PlannedObject]:
    if plan is None:
        return {}
    return {obj.key: obj for svc in plan.services for obj in svc.objects}


def changed_objects(old: SitePlan | None, new: SitePlan | None) -> set[str]:
    """Keys of the objects that differ between two plans (added, removed or changed)."""
    def owned(obj: PlannedObject) -> dict[str, str]:
        # What the router's scripts own is never written after create.
        return {k: v for k, v in obj.properties.items() if k not in obj.runtime_owned}

    before, after = _index(old), _index(new)
    return {key for key in set(before) | set(after)
            if key not in before or key not in after or owned(before[key]) != owned(after[key])}


def objects_written(old: SitePlan | None, new: SitePlan | None) -> int:
    """Objects that differ between two plans: the writes no deployment can avoid."""
    return len(changed_objects(old, new))


def dependency_depth(old: SitePlan | None, new: SitePlan | None) -> int:
    """The longest chain of those writes that must follow one another: an object after the
    objects it depends on that are written too (a delete before theirs, the same length)."""
    changed = changed_objects(old, new)
    depends = {key: obj.depends_on for key, obj in {**_index(old), **_index(new)}.items()}
    depth: dict[str, int] = {}

    def of(key: str) -> int:
        if key not in depth:
            depth[key] = 1 + max((of(dep) for dep in depends.get(key, ()) if dep in changed),
                                 default=0)
        return depth[key]

    return max((of(key) for key in changed), default=0)


def startup_seconds(repeat: int = 3) -> float:
    """The provider host's fixed cost per command: start, configure, stop (best of `repeat`)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        with ProviderHost(config=STACK_CONFIG, env=host_env()):
            pass
        best = min(best, time.perf_counter() - start)
    return best


def run_ours(plan_for: PlanFor, program_for: ProgramFor, weights: Sequence[int],
             latency: float, version: str = "7.20") -> dict[str, StepFigures]:
    results: dict[str, StepFigures] = {}
    with Simulator(version=version, username=USERNAME, password=PASSWORD) as sim:
        sim.faults.latency = latency
        count_api_only(sim.router)
        router = router_inputs(sim)
        driver = ParallelDriver(STACK_CONFIG, env=host_env())
        plans = [plan_for(w) for w in steps_weights(weights)]
        previous: SitePlan | None = None
        deploys: list[tuple[str, SitePlan | None]] = [
            ("first deploy", plans[0]), ("no-op deploy", plans[1]), ("refresh", None),
            ("add one server", plans[2]), ("change one weight", plans[3])]
        for name, plan in deploys:
            if plan is None:
                with measuring(sim.router) as figures:
                    steps = driver.refresh()
                results[name] = StepFigures(figures, ops=_ops(steps))
                continue
            regs: list[Registration] = capture(program_for(plan, router))
            with measuring(sim.router) as figures:
                steps = driver.up(regs)
            needed, depth = objects_written(previous, plan), dependency_depth(previous, plan)
            if needed and any(reg.type.endswith(":ScriptRun") for reg in regs):
                # The deployment runs the sync script after a change, once everything is there.
                needed, depth = needed + 1, depth + 1
            results[name] = StepFigures(figures, lower_bound_writes=needed,
                                        lower_bound_depth=depth, ops=_ops(steps),
                                        peak_rss=driver.peak_rss)
            previous = plan
        with measuring(sim.router) as figures:
            steps = driver.destroy()
        results["destroy"] = StepFigures(
            figures, lower_bound_writes=objects_written(previous, None),
            lower_bound_depth=dependency_depth(previous, None), ops=_ops(steps))
    return results


def run_peer(plan_for: PlanFor, weights: Sequence[int], latency: float,
             version: str = "7.20") -> dict[str, Figures]:
    """The same steps by Ansible; its refresh is `api_info` on every path."""
    results: dict[str, Figures] = {}
    with Simulator(version=version, username=USERNAME, password=PASSWORD) as sim:
        sim.faults.latency = latency
        count_api_only(sim.router)
        plans = [plan_for(w) for w in steps_weights(weights)]
        with AnsiblePeer(Target(sim.host, sim.port, USERNAME, PASSWORD)) as peer:
            names = ("first deploy", "no-op deploy", "add one server", "change one weight")
            for name, plan in zip(names, [plans[0], plans[1], plans[2], plans[3]], strict=True):
                with measuring(sim.router) as figures:
                    peer.run(_play(plan))
                results[name] = figures
                if name == "no-op deploy":
                    with measuring(sim.router) as figures:
                        peer.run(info_playbook(_menus(plan)))
                    results["refresh"] = figures
            with measuring(sim.router) as figures:
                peer.run(_play(plans[3], destroy=True))
            results["destroy"] = figures
    return results


def _play(plan: SitePlan, destroy: bool = False) -> list[dict[str, Any]]:
    objects = [obj for svc in plan.services for obj in svc.objects]
    orders = [order for svc in plan.services for order in svc.orders]
    tags = [obj.tag for obj in objects if obj.tag]
    names = [obj.properties["name"] for obj in objects if obj.menu in ("script", "scheduler")]
    return playbook(objects, orders, os.path.commonprefix(tags), os.path.commonprefix(names),
                    _menus(plan), destroy=destroy)


def _menus(plan: SitePlan) -> list[Menu]:
    used = {obj.menu for svc in plan.services for obj in svc.objects}
    return [menu for menu in MENU_ORDER if menu in used]


def _ops(steps: Sequence[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for step in steps:
        counts[step.op] = counts.get(step.op, 0) + 1
    return counts


def observe(plan_for: PlanFor, program_for: ProgramFor,
            weights: Sequence[int]) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """Deploy one service, then count rule evaluations and time a failover on the virtual
    clock: (router objects we made, evaluations, failover)."""
    from bench.behaviour import evaluations, failover

    with Simulator(version=VERSION_OBSERVED, username=USERNAME, password=PASSWORD) as sim:
        plan = plan_for(weights)
        driver = ParallelDriver(STACK_CONFIG, env=host_env())
        driver.up(capture(program_for(plan, router_inputs(sim))))
        with sim.router.lock:
            objects = sum(len(getattr(menu, "items", ())) for menu in sim.router.menus.values())
        service = plan.services[0]
        seen = evaluations(sim, service)
        moved = failover(sim, service)
        driver.destroy()
    return objects, seen, moved
