"""An `up` of the home stack (RouterOS 6.49), and of dev (7.20), whose connection drops at each
step in turn, re-run each time until it goes through: the router ends exactly as after an
uninterrupted `up`, with no object twice, and the next `up` is all `same` without a write.

Each step is interrupted once: before it, the simulator is told to drop the connection instead of
sending the next reply sentence. Reads are repeated on a new connection and the step carries on;
an `add` or a script run is not repeated (the router may have done it), so that step fails, the
`up` stops as the engine's would, and the re-run must adopt what the lost reply left behind.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from engine_standin.capture import Registration
from engine_standin.driver import Driver
from engine_standin.host import ProviderCallError
from simulator import Simulator
from tests.lifecycle.routers import STACK_CONFIG, counts, host_env
from tests.loadbalancer.harness import (
    NAMED_PATHS,
    TAGGED_PATHS,
    Deployment,
    stack_file_config,
    stack_router,
    writes_since,
)


class InterruptingDriver(Driver):
    """The engine stand-in, dropping the router's connection once before each step it has not
    interrupted yet (creates, updates and the deletes of replaced objects alike)."""

    def __init__(self, sim: Simulator) -> None:
        super().__init__(STACK_CONFIG, env=host_env())
        self.sim = sim
        self.interrupted: list[str] = []
        self.failed: list[str] = []

    def _interrupt(self, urn: str) -> bool:
        if urn in self.interrupted:
            return False
        self.interrupted.append(urn)
        self.sim.faults.drop_after(0)
        return True

    def _create(self, reg: Registration, inputs: dict[str, Any]) -> None:
        armed = self._interrupt(reg.urn)
        try:
            super()._create(reg, inputs)
        except ProviderCallError:
            self.failed.append(reg.urn)
            raise
        finally:
            if armed:
                self.sim.faults.reset()


def identities(sim: Simulator) -> Counter[tuple[str, str]]:
    """(path, ownership tag or name) of every object of ours, counted."""
    found: Counter[tuple[str, str]] = Counter()
    for path in TAGGED_PATHS:
        for item in sim.router.menus[path].items:
            comment = item.props.get("comment", "")
            if "[lb:" in comment:
                found[(path, comment.rsplit("[lb:", 1)[1])] += 1
    for path in NAMED_PATHS:
        for item in sim.router.menus[path].items:
            if item.props.get("name", "").startswith("lb-"):
                found[(path, item.props["name"])] += 1
    return found


def configuration(sim: Simulator) -> list[tuple[str, str, tuple]]:
    """Our objects' configuration without ids and counters, in router order per path."""
    volatile = {"bytes", "packets", "run-count", "last-started", "next-run", "status", "since",
                "done-tests", "failed-tests", "owner"}
    out = []
    for path in (*TAGGED_PATHS, *NAMED_PATHS):
        for item in sim.router.menus[path].items:
            props = item.props
            if "[lb:" in props.get("comment", "") or props.get("name", "").startswith("lb-"):
                out.append((path, props.get("chain", ""), tuple(sorted(
                    (k, v) for k, v in props.items() if k not in volatile))))
    return out


def trimmed(stack: str) -> dict[str, Any]:
    """The stack's config; dev's with two of its three servers, to keep the number of re-runs
    (one per step whose reply is lost) small on 7.20 too."""
    config = stack_file_config(stack)
    if stack == "dev":
        servers = config["routeros-lb:services"]["web"]["servers"]
        del servers[sorted(servers)[-1]]
    return config


@pytest.mark.parametrize("stack", ["home", "dev"], ids=["home-6.49", "dev-7.20"])
def test_an_up_dropped_at_each_step_then_re_run_converges_without_duplicates(stack: str) -> None:
    with stack_router(stack, seed_defconf=True) as clean:
        reference = Deployment(stack, clean, config=trimmed(stack))
        reference.up()
        wanted = configuration(clean)
        wanted_ids = identities(clean)

    with stack_router(stack, seed_defconf=True) as sim:
        driver = InterruptingDriver(sim)
        deployment = Deployment(stack, sim, config=trimmed(stack), driver=driver)
        program = deployment.program()
        runs, error = 0, None
        while True:
            runs += 1
            assert runs <= len(program) + 1, f"the re-runs do not converge: {error}"
            try:
                driver.up(program)
                break
            except ProviderCallError as failed:
                error = failed
        assert driver.interrupted == [reg.urn for reg in program]
        # Adds and the sync run fail when their reply is lost; reads are repeated and go on.
        # The first create on a path reads the path first (that read is repeated); the others
        # lose their `add`'s reply and fail, as does the sync run.
        failed_types = {urn.split("routeros:", 1)[1].split("::")[0] for urn in driver.failed}
        assert failed_types >= {"MangleRule", "NatRule", "Netwatch", "Scheduler", "ScriptRun"}
        assert runs == len(driver.failed) + 1

        assert identities(sim) == wanted_ids
        assert set(identities(sim).values()) == {1}
        assert configuration(sim) == wanted

        before = counts(sim)
        again = deployment.up()
        assert set(again.values()) == {"same"}
        assert writes_since(before, sim) == {}
        assert deployment.leaks() == []
