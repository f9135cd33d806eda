"""Real-router mode: the provider and lifecycle tests against a router you name.

Set `ROUTEROS_TEST_HOST` (and `ROUTEROS_TEST_PASSWORD`, `ROUTEROS_TEST_VERSION`; optionally
`ROUTEROS_TEST_PORT`, default 8728, and `ROUTEROS_TEST_USER`, default `admin`). Then every test
that asks `tests/lifecycle/routers.running_simulator` for a router gets `RemoteRouter`, a handle on
that router with the simulator's connection attributes (host, port, username, password, profile).

- A test that reaches for what only the simulator has (its model, command counters, outbox, clock,
  hosts, faults, reboot) is skipped at that point, naming what it needed; so is one that asks for
  another major version, TLS, a state file or the simulator's default configuration.
- The tests count what they create, so the menus they write to (mangle, NAT, scripts, scheduler,
  netwatch) must hold nothing but dynamic entries when a test starts; otherwise it errors, naming
  the menu, before it writes anything. Use a router you can spare (a fresh CHR).
- Each test leaves the router as it found it: objects it created (new `.id`s in those menus and in
  the filter table) are removed afterwards, newest first, and the e-mail settings are put back.
  Objects that were there before are never touched.
- The password must be set and distinctive: tests search every output for it to prove it never
  leaks, and an empty string is found everywhere.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

import librouteros
import pytest
from librouteros.login import token

from simulator.profiles import Profile

HOST_ENV = "ROUTEROS_TEST_HOST"
PORT_ENV = "ROUTEROS_TEST_PORT"
USER_ENV = "ROUTEROS_TEST_USER"
PASSWORD_ENV = "ROUTEROS_TEST_PASSWORD"  # noqa: S105 - the variable's name
VERSION_ENV = "ROUTEROS_TEST_VERSION"

# The menus the provider and lifecycle tests write to, removed from last to first.
MENUS = ("/ip/firewall/filter", "/ip/firewall/mangle", "/ip/firewall/nat", "/system/script",
         "/system/scheduler", "/tool/netwatch")
MUST_START_EMPTY = MENUS[1:]
EMAIL = "/tool/e-mail"
# Read-only e-mail properties (and v7's vrf, which no test changes): never written back.
EMAIL_NOT_RESTORED = frozenset({"last-status", "last-address", "vrf"})


class RealRouterConfigError(Exception):
    """The ROUTEROS_TEST_* variables do not describe a router the tests can use."""


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    username: str
    password: str
    version: str

    @property
    def profile(self) -> Profile:
        major, minor = (int(part) for part in self.version.split(".")[:2])
        return Profile(self.version, major, minor)


def target_from_env(env: dict[str, str] | os._Environ[str] = os.environ) -> Target | None:
    """The router named by the environment, or None (the tests use the simulator)."""
    host = env.get(HOST_ENV, "")
    if not host:
        return None
    password = env.get(PASSWORD_ENV, "")
    if len(password) < 8:
        raise RealRouterConfigError(
            f"{PASSWORD_ENV} must be set to a distinctive password of 8 characters or more: "
            "the tests search their output for it to prove it never leaks")
    version = env.get(VERSION_ENV, "")
    if not re.fullmatch(r"[67]\.\d+(\.\d+)?", version):
        raise RealRouterConfigError(
            f"{VERSION_ENV} must be the router's RouterOS version, 6.x or 7.x (e.g. 6.49.18 or "
            f"7.16.2), not {version!r}")
    port_text = env.get(PORT_ENV, "8728")
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise RealRouterConfigError(f"{PORT_ENV} must be a TCP port 1-65535, not {port_text!r}")
    return Target(host, int(port_text), env.get(USER_ENV, "admin") or "admin", password, version)


def _skip(what: str) -> NoReturn:
    pytest.skip(f"needs the simulator ({what}); {HOST_ENV} names a real router")


class RemoteRouter:
    """Where a test expects a `Simulator`: the same connection attributes, for a real router.
    Anything else the test asks of it skips the test."""

    tls = False
    ca_file = None

    def __init__(self, target: Target) -> None:
        self.target = target
        self.host = target.host
        self.port = target.port
        self.username = target.username
        self.password = target.password
        self.profile = target.profile
        self.version = target.version

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        _skip(f"its {name!r}")

    def __repr__(self) -> str:
        return f"<RouterOS {self.version} at {self.host}:{self.port}>"  # never the password


def connect(target: Target) -> librouteros.Api:
    options: dict[str, Any] = {"login_method": token} if target.profile.legacy_login else {}
    return librouteros.connect(target.host, target.username, target.password, port=target.port,
                               timeout=10, **options)


@contextlib.contextmanager
def real_router(target: Target, **wanted: Any) -> Iterator[RemoteRouter]:
    """The target as a test's router, if it is the router the test wants; afterwards, what the
    test created is gone and the e-mail settings are as they were."""
    version = wanted.pop("version", None)
    if version is not None and int(str(version).split(".")[0]) != target.profile.major:
        pytest.skip(f"the test wants RouterOS {version}; the router under test runs "
                    f"{target.version}")
    for option, value in wanted.items():
        if value:
            _skip(f"{option}={value!r}")
    api = connect(target)
    try:
        rows = {path: list(api.path(path)) for path in MENUS}
        (email,) = tuple(api.path(EMAIL))
    finally:
        api.close()
    for path in MUST_START_EMPTY:
        if any(not row.get("dynamic") for row in rows[path]):
            raise RealRouterConfigError(
                f"the router under test holds configuration in {path}; the tests need that menu "
                "empty (they count what they create): use a router you can spare, such as a "
                "fresh CHR")
    before = {path: {row[".id"] for row in found} for path, found in rows.items()}
    try:
        yield RemoteRouter(target)
    finally:
        _restore(target, before, email)


def _restore(target: Target, before: dict[str, set[str]], email: dict[str, Any]) -> None:
    api = connect(target)
    try:
        for path in reversed(MENUS):
            created = [row[".id"] for row in api.path(path)
                       if row[".id"] not in before[path] and not row.get("dynamic")]
            if created:
                api.path(path).remove(*created)
        settings = {key: value for key, value in email.items()
                    if key not in EMAIL_NOT_RESTORED and not key.startswith(".")}
        tuple(api(f"{EMAIL}/set", **settings))
    finally:
        api.close()
