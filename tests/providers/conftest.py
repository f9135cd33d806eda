"""The provider tests' router: a password-protected simulator (7.20 unless a test asks for another
version with `@pytest.mark.parametrize("sim", [...], indirect=True)`), the provider process's
password set as `configure` would set it, and every cached connection closed afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from providers.connection import password_source, reset_clients
from simulator import Simulator
from tests.lifecycle.routers import PASSWORD, running_simulator

BOTH_VERSIONS = ("6.49", "7.20")


@pytest.fixture
def sim(request: pytest.FixtureRequest) -> Iterator[Simulator]:
    password_source.set(PASSWORD)
    try:
        with running_simulator(version=getattr(request, "param", "7.20")) as simulator:
            yield simulator
    finally:
        reset_clients()
        password_source.clear()
