"""Fault injection, set at run time while clients are connected: each test runs on 6.49 and
7.20, plain and over API-SSL."""

from __future__ import annotations

import time

import pytest
from librouteros.exceptions import ConnectionClosed, TrapError

from simulator import Simulator
from simulator.api import Category
from simulator.testing import VERSIONS

# A dropped TLS connection may surface as an `ssl.SSLError`, which is an `OSError` too.
DROPPED = (ConnectionClosed, OSError)


@pytest.fixture(
    params=[(v, tls) for tls in (False, True) for v in VERSIONS],
    ids=lambda p: f"{p[0]}-{'tls' if p[1] else 'plain'}",
)
def sim(request: pytest.FixtureRequest, simulator_factory) -> Simulator:
    version, tls = request.param
    return simulator_factory(version=version, tls=tls, password="pw")


def count(api) -> int:
    [row] = api("/ip/firewall/nat/print", **{"count-only": ""})
    return row["ret"]


def test_latency_delays_each_reply(sim: Simulator, api) -> None:
    sim.faults.latency = 0.02
    started = time.monotonic()
    count(api)
    count(api)
    # A lower bound only: it proves the delay is applied without timing the machine.
    assert time.monotonic() - started >= 0.04


def test_drop_after_n_sentences(sim: Simulator, api, api_connect) -> None:
    nat = api.path("/ip/firewall/nat")
    for _ in range(3):
        nat.add(chain="dstnat")
    sim.faults.drop_after(2)  # two !re reach the client, then the connection drops
    with pytest.raises(DROPPED):
        tuple(nat)
    # One-shot: a new connection is served normally.
    assert count(api_connect(sim)) == 3


def test_drop_every_time(sim: Simulator, api_connect) -> None:
    sim.faults.drop_after(1, every_time=True)  # the login's !done gets through, then nothing
    for _ in range(2):
        api = api_connect(sim)
        with pytest.raises(DROPPED):
            count(api)


def test_trap_on_the_nth_command(sim: Simulator, api) -> None:
    sim.faults.trap_command(2, message="simulated outage", category=Category.GENERAL_FAILURE)
    assert count(api) == 0
    with pytest.raises(TrapError) as caught:
        count(api)
    assert (caught.value.message, caught.value.category) == ("simulated outage", 4)
    assert count(api) == 0
    assert sim.stats["/ip/firewall/nat/print"] == 2  # the trapped one never reached the router


def test_session_cap_refuses_extra_connections(sim: Simulator, api_connect) -> None:
    sim.faults.max_sessions = 1
    first = api_connect(sim)
    with pytest.raises(DROPPED):
        api_connect(sim)
    assert count(first) == 0
    first.close()
    deadline = time.monotonic() + 5
    while sim.open_sessions and time.monotonic() < deadline:
        time.sleep(0.005)
    assert count(api_connect(sim)) == 0


def test_refused_logins(sim: Simulator, api_connect) -> None:
    sim.faults.refuse_logins = True
    with pytest.raises(TrapError, match=r"invalid user name or password \(6\)"):
        api_connect(sim)
    sim.faults.reset()
    assert count(api_connect(sim)) == 0
    assert sim.stats["/login"] == 2
