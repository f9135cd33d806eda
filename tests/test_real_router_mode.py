"""Real-router mode (`tests/real_router.py`), tested by pointing it at a simulator started as a
separate process, as a CHR in a container would be: the provider and lifecycle layers pass against
it, skip what only the simulator can do, and leave what the router held before untouched."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import librouteros
import pytest

from tests.lifecycle.routers import WRITES
from tests.real_router import MENUS, RealRouterConfigError, Target, real_router, target_from_env

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Chr-Like-Secret-4471"
LINE = re.compile(r"listening on 127\.0\.0\.1:(\d+) \(RouterOS ([\d.]+)\)")


@pytest.fixture
def external_router() -> Iterator[int]:
    """`python -m simulator` in its own process, with a password: its port."""
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "simulator", "--port", "0", "--version", "7.20"],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={**os.environ, "ROUTEROS_PASSWORD": PASSWORD},
    )
    try:
        assert proc.stdout is not None
        match = LINE.fullmatch(proc.stdout.readline().strip())
        assert match is not None
        yield int(match.group(1))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


def snapshot(port: int) -> dict[str, list[dict]]:
    api = librouteros.connect("127.0.0.1", "admin", PASSWORD, port=port, timeout=5)
    try:
        return {path: list(api.path(path))
                for path in (*MENUS, "/tool/e-mail", "/ip/firewall/address-list")}
    finally:
        api.close()


def run_tests(port: int, password: str, *paths: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ROUTEROS_")}
    env.update(ROUTEROS_TEST_HOST="127.0.0.1", ROUTEROS_TEST_PORT=str(port),
               ROUTEROS_TEST_USER="admin", ROUTEROS_TEST_PASSWORD=password,
               ROUTEROS_TEST_VERSION="7.20.4")
    return subprocess.run(  # noqa: S603 - our own interpreter and pytest
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *paths],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )


def test_provider_and_lifecycle_layers_pass_against_a_separate_router(external_router) -> None:
    api = librouteros.connect("127.0.0.1", "admin", PASSWORD, port=external_router, timeout=5)
    try:  # the router's own configuration, which the tests must not touch
        api.path("/ip/firewall/filter").add(chain="input", action="accept", comment="admin's")
        api.path("/ip/firewall/address-list").add(list="admins", address="192.0.2.7")
    finally:
        api.close()
    before = snapshot(external_router)

    result = run_tests(external_router, PASSWORD, "tests/providers", "tests/lifecycle")

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    passed = int(re.search(r"(\d+) passed", result.stdout).group(1))
    assert passed >= 50
    assert "the test wants RouterOS 6.49; the router under test runs 7.20.4" in result.stdout
    assert re.search(r"needs the simulator \(its '\w+'\)", result.stdout)
    assert PASSWORD not in result.stdout + result.stderr
    assert snapshot(external_router) == before


def test_the_tests_really_log_in_to_the_named_router(external_router) -> None:
    result = run_tests(external_router, "Not-The-Password-1", "tests/providers/test_nat_rule.py")
    assert result.returncode == 1
    assert "invalid user name or password" in result.stdout


@pytest.mark.parametrize(("env", "message"), [
    ({"ROUTEROS_TEST_HOST": "127.0.0.1", "ROUTEROS_TEST_VERSION": "7.16"},
     "ROUTEROS_TEST_PASSWORD must be set to a distinctive password"),
    ({"ROUTEROS_TEST_HOST": "127.0.0.1", "ROUTEROS_TEST_PASSWORD": "long-enough-1",
      "ROUTEROS_TEST_VERSION": "latest"}, "ROUTEROS_TEST_VERSION must be the router's"),
    ({"ROUTEROS_TEST_HOST": "127.0.0.1", "ROUTEROS_TEST_PASSWORD": "long-enough-1",
      "ROUTEROS_TEST_VERSION": "6.49", "ROUTEROS_TEST_PORT": "0"}, "ROUTEROS_TEST_PORT must be"),
])
def test_an_incomplete_description_is_refused_naming_the_variable(env, message) -> None:
    with pytest.raises(RealRouterConfigError, match=re.escape(message)):
        target_from_env(env)


def test_without_a_host_the_tests_use_the_simulator() -> None:
    assert target_from_env({}) is None


def test_a_router_with_configuration_in_our_menus_is_refused_before_any_write(
        simulator_factory) -> None:
    sim = simulator_factory(version="7.20", password=PASSWORD)
    api = librouteros.connect(sim.host, "admin", PASSWORD, port=sim.port, timeout=5)
    try:
        api.path("/system/script").add(name="admin-backup", source=":log info backup")
    finally:
        api.close()
    target = Target(sim.host, sim.port, "admin", PASSWORD, "7.20.4")
    def writes() -> int:
        return sum(n for command, n in sim.stats.items() if command.rsplit("/", 1)[1] in WRITES)

    before = writes()
    with pytest.raises(RealRouterConfigError, match="holds configuration in /system/script"), \
            real_router(target):
        pass
    assert writes() == before
