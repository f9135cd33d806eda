"""pytest plugin: fixtures that start simulated routers and stop them at teardown.

Register it with `pytest_plugins = ["simulator.testing"]`. It knows the `Simulator` handle and
pytest, and no API client: connecting is the tests' business (see tests/conftest.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from simulator.harness import Simulator

SimulatorFactory = Callable[..., "Simulator"]

# The two profiles every version-sensitive test runs against: the last v6 and a current v7.
VERSIONS = ("6.49", "7.20")


@pytest.fixture
def simulator_factory() -> Iterator[SimulatorFactory]:
    """`simulator_factory(**kwargs)` starts a `Simulator(**kwargs)`; all stop at teardown."""
    # Imported here so that registering the plugin costs nothing for tests that never start one.
    from simulator.harness import Simulator

    started: list[Simulator] = []

    def start(**kwargs: Any) -> Simulator:
        sim = Simulator(**kwargs).start()
        started.append(sim)
        return sim

    yield start
    # Every one stops (newest first), even when stopping another fails.
    with contextlib.ExitStack() as stack:
        for sim in started:
            stack.callback(sim.stop)


@pytest.fixture
def sim(simulator_factory: SimulatorFactory) -> Simulator:
    """A started RouterOS 7.20 simulator, user `admin` with an empty password."""
    return simulator_factory(version="7.20")


@pytest.fixture(params=VERSIONS)
def sim_any_version(
    request: pytest.FixtureRequest, simulator_factory: SimulatorFactory
) -> Simulator:
    """A started simulator, once per profile in `VERSIONS`."""
    return simulator_factory(version=request.param)
