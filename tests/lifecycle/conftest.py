"""Fixtures of the lifecycle tests: a provider host configured with the router password, and a
password-protected simulator per test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from simulator import Simulator
from tests.lifecycle.driver import Driver
from tests.lifecycle.host import ProviderHost
from tests.lifecycle.routers import PASSWORD, running_simulator


@pytest.fixture(scope="module")
def host() -> Iterator[ProviderHost]:
    """One provider host per module; the password reaches it only as secret stack config."""
    env = {k: v for k, v in os.environ.items() if k != "ROUTEROS_PASSWORD"}
    with ProviderHost(config={"routeros:password": PASSWORD}, env=env) as running:
        yield running
    assert PASSWORD not in running.stdout
    assert PASSWORD not in running.stderr


@pytest.fixture
def router() -> Iterator[Simulator]:
    with running_simulator() as sim:
        yield sim


@pytest.fixture
def driver(host: ProviderHost) -> Driver:
    return Driver(host)
