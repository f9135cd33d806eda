"""Shared test fixtures: simulated routers (from `simulator.testing`) and librouteros clients.

`api_connect(sim, **options)` opens a logged-in librouteros connection to a simulator the way a
real client would: TLS with certificate verification against `sim.ca_file` when the simulator
serves TLS, the legacy token login on profiles before 6.43. Connections close at teardown.
"""

from __future__ import annotations

import contextlib
import os
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import librouteros
import pytest
from hypothesis import settings
from librouteros.login import token

if TYPE_CHECKING:
    # Only for annotations: importing the simulator here would make every test's collection
    # depend on the whole simulator importing cleanly.
    from simulator import Simulator

pytest_plugins = ["simulator.testing"]

# CI replays the same examples on every run, so a result never depends on the draw; a developer's
# run explores new ones. No deadline anywhere: two shared cores make timings meaningless.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

ApiConnect = Callable[..., librouteros.Api]


def connect_api(
    sim: Simulator,
    *,
    username: str | None = None,
    password: str | None = None,
    timeout: float = 5,
    **options: Any,
) -> librouteros.Api:
    """A librouteros connection to `sim`, logged in as its user unless told otherwise."""
    if sim.tls and "ssl_wrapper" not in options:
        context = ssl.create_default_context(cafile=str(sim.ca_file))
        options["ssl_wrapper"] = lambda sock: context.wrap_socket(sock, server_hostname="localhost")
    if sim.profile.legacy_login and "login_method" not in options:
        options["login_method"] = token
    return librouteros.connect(
        sim.host,
        sim.username if username is None else username,
        sim.password if password is None else password,
        port=sim.port,
        timeout=timeout,
        **options,
    )


@pytest.fixture
def api_connect() -> Iterator[ApiConnect]:
    """`api_connect(sim, **options)`: see `connect_api`; every connection closes at teardown."""
    opened: list[librouteros.Api] = []

    def connect(sim: Simulator, **options: Any) -> librouteros.Api:
        api = connect_api(sim, **options)
        opened.append(api)
        return api

    yield connect
    for api in opened:
        with contextlib.suppress(OSError):
            api.close()


@pytest.fixture
def api(sim: Simulator, api_connect: ApiConnect) -> librouteros.Api:
    """A logged-in connection to the `sim` fixture's 7.20 router."""
    return api_connect(sim)


class RawClient:
    """A bare API client on a socket, for what librouteros cannot send or see: tags, several
    commands outstanding, `/cancel`, `/quit`, `!empty`, 5-byte lengths, malformed bytes."""

    def __init__(self, sim: Simulator, timeout: float = 5) -> None:
        import socket

        from simulator.wire import SentenceReader

        self.sock = socket.create_connection((sim.host, sim.port), timeout=timeout)
        if sim.tls:
            context = ssl.create_default_context(cafile=str(sim.ca_file))
            self.sock = context.wrap_socket(self.sock, server_hostname="localhost")
        self._reader = SentenceReader()

    def send(self, *words: str) -> None:
        from simulator.wire import encode_sentence

        self.sock.sendall(encode_sentence(words))

    def send_bytes(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read(self) -> list[str]:
        """The next reply sentence; `EOFError` if the server closed the connection first."""
        while (sentence := self._reader.next_sentence()) is None:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("connection closed by the simulator")
            self._reader.feed(data)
        return sentence

    def read_until_done(self) -> list[list[str]]:
        """Reply sentences up to and including `!done` (or a `!fatal`)."""
        replies = [self.read()]
        while replies[-1][0] not in ("!done", "!fatal"):
            replies.append(self.read())
        return replies

    def command(self, *words: str) -> list[list[str]]:
        self.send(*words)
        return self.read_until_done()

    def login(self, username: str = "admin", password: str = "") -> None:
        replies = self.command("/login", f"=name={username}", f"=password={password}")
        if replies != [["!done"]]:
            raise AssertionError(f"login failed: {replies[0][0]}")

    def is_closed(self) -> bool:
        """True once the server has closed the connection (after any unread replies)."""
        try:
            while True:
                self.read()
        except (EOFError, ConnectionError):
            return True
        except TimeoutError:
            return False

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw_connect() -> Iterator[Callable[..., RawClient]]:
    """`raw_connect(sim)`: a `RawClient` on `sim`, not logged in; closed at teardown."""
    opened: list[RawClient] = []

    def connect(sim: Simulator, timeout: float = 5) -> RawClient:
        client = RawClient(sim, timeout)
        opened.append(client)
        return client

    yield connect
    for client in opened:
        client.close()


# The end-to-end layers, by folder (and the few top-level files that deploy a stack): they drive
# the provider host or a whole deployment, and make up most of the suite's time.
_E2E_FOLDERS = ("e2e", "lifecycle", "loadbalancer", "lab")
_E2E_FILES = ("test_real_router_mode.py", "test_readme.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests = Path(__file__).parent
    for item in items:
        relative = item.path.relative_to(tests)
        if relative.parts[0] in _E2E_FOLDERS or relative.name in _E2E_FILES:
            item.add_marker(pytest.mark.e2e)
