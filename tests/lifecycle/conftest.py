"""Fixtures of the lifecycle tests: a provider host configured with the router password, and a
password-protected simulator per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine_standin.driver import Driver
from engine_standin.host import ProviderHost
from simulator import Simulator
from tests.lifecycle.routers import PASSWORD, STACK_CONFIG, host_env, running_simulator


@pytest.fixture(scope="module")
def host() -> Iterator[ProviderHost]:
    """One provider host per module; the password reaches it only as secret stack config."""
    with ProviderHost(config=STACK_CONFIG, env=host_env()) as running:
        yield running
    assert PASSWORD not in running.stdout
    assert PASSWORD not in running.stderr


@pytest.fixture
def router() -> Iterator[Simulator]:
    with running_simulator() as sim:
        yield sim


@pytest.fixture
def driver() -> Iterator[Driver]:
    """The engine stand-in; at teardown nothing any host printed may hold the password."""
    engine = Driver(STACK_CONFIG, env=host_env())
    yield engine
    for text in engine.logs:
        assert PASSWORD not in text
