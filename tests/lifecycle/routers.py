"""Test helpers shared by the provider and lifecycle tests: a password-protected simulator, the
settings that reach it, and a plain librouteros connection for edits made "by hand" on the router.

The password is deliberately distinctive so a search of any output for it is meaningful.
With `ROUTEROS_TEST_HOST` set, the router is a real one instead (`tests/real_router.py`): the
password and user are then the ones the environment gives.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import librouteros

from providers.connection import RouterSettings
from simulator import Simulator
from tests.real_router import real_router, target_from_env

TARGET = target_from_env()
PASSWORD = TARGET.password if TARGET else "Zebra-Quartz-7731-do-not-leak"
USERNAME = TARGET.username if TARGET else "admin"
# What `pulumi config set --secret routeros:password ...` gives the provider host.
STACK_CONFIG = {"routeros:password": PASSWORD}


def host_env() -> dict[str, str]:
    """The environment without the fallback variable: the password comes from stack config."""
    return {k: v for k, v in os.environ.items() if k != "ROUTEROS_PASSWORD"}


@contextmanager
def running_simulator(**kwargs: Any) -> Iterator[Simulator]:
    """A started simulator (RouterOS 7.20 unless told) whose admin has `PASSWORD`; or, in
    real-router mode, the real router (the test is skipped if it wants another major version)."""
    kwargs.setdefault("version", "7.20")
    if TARGET is not None:
        with real_router(TARGET, **kwargs) as router:
            yield router  # type: ignore[misc] - stands where a Simulator is expected
        return
    sim = Simulator(username=USERNAME, password=PASSWORD, **kwargs).start()
    try:
        yield sim
    finally:
        sim.stop()


def settings_for(sim: Simulator) -> RouterSettings:
    return RouterSettings(host=sim.host, port=sim.port, username=USERNAME, timeout=5)


@contextmanager
def by_hand(sim: Simulator) -> Iterator[Any]:
    """An admin's own API session, as WinBox or a script would change the router."""
    api = librouteros.connect(sim.host, USERNAME, PASSWORD, port=sim.port, timeout=5)
    try:
        yield api
    finally:
        api.close()


def add_dynamic_rule(sim: Simulator, path: str, chain: str) -> str:
    """A rule RouterOS itself keeps at the head of the chain (like the fasttrack counter)."""
    item = sim.router.add_dynamic(
        path, {"chain": chain, "action": "passthrough", "dynamic": "true",
               "comment": "special dummy rule to show fasttrack counters"}, top=True)
    return item.printed_id


def chain_ids(sim: Simulator, path: str, chain: str) -> list[str]:
    """The chain's ids in order, read from the model (no round trip counted)."""
    return [item.printed_id for item in sim.router.menus[path].items
            if item.props.get("chain") == chain]


WRITES = frozenset({"add", "set", "remove", "move", "unset", "enable", "disable"})


def by_verb(stats: dict[str, int], path: str) -> dict[str, int]:
    """The commands of `stats` served on `path`, by verb (`{"print": 1, "move": 2}`)."""
    prefix = path.rstrip("/") + "/"
    return {command[len(prefix):]: count for command, count in stats.items()
            if command.startswith(prefix) and "/" not in command[len(prefix):]}


def counts(sim: Simulator) -> Counter[str]:
    """A copy of the router's command counters, taken while no session can change them."""
    with sim.router.lock:
        return Counter(sim.router.stats)


def commands(sim: Simulator, path: str) -> dict[str, int]:
    """Commands served on `path` since the router started, by verb."""
    return by_verb(counts(sim), path)


class Served:
    """The commands a router serves from now on: `served()` by command, `served(path)` by verb
    on one menu, `served.writes()` only the commands that change configuration."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.start = counts(sim)

    def __call__(self, path: str | None = None) -> dict[str, int]:
        delta = dict(counts(self.sim) - self.start)
        return delta if path is None else by_verb(delta, path)

    def writes(self) -> dict[str, int]:
        return {command: n for command, n in self().items()
                if command.rsplit("/", 1)[1] in WRITES}
