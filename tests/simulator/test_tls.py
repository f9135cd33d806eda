"""API-SSL: librouteros verifies the simulator's self-signed certificate against `sim.ca_file`."""

from __future__ import annotations

import socket
import ssl
import time

import pytest

from simulator import Simulator
from simulator.server import ServerError


@pytest.mark.parametrize("version", ["6.49", "7.20"])
def test_tls_round_trip_with_verification(simulator_factory, api_connect, version: str) -> None:
    sim = simulator_factory(version=version, tls=True, password="pw")
    assert sim.ca_file is not None
    assert sim.ca_file.exists()
    api = api_connect(sim)
    nat = api.path("/ip/firewall/nat")
    new_id = nat.add(chain="dstnat", comment="over tls")
    assert [row["comment"] for row in nat if row[".id"] == new_id] == ["over tls"]


def test_certificate_names_the_loopback_address(simulator_factory, api_connect) -> None:
    sim = simulator_factory(tls=True)
    context = ssl.create_default_context(cafile=str(sim.ca_file))
    api = api_connect(
        sim, ssl_wrapper=lambda s: context.wrap_socket(s, server_hostname="127.0.0.1")
    )
    assert tuple(api("/ip/firewall/nat/print")) == ()


def test_unverified_client_is_rejected_and_server_lives_on(simulator_factory, api_connect) -> None:
    sim = simulator_factory(tls=True)
    strict = ssl.create_default_context()  # system CAs only: our certificate is unknown
    with (
        socket.create_connection((sim.host, sim.port), timeout=5) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        strict.wrap_socket(raw, server_hostname="localhost")
    assert tuple(api_connect(sim)("/ip/firewall/nat/print")) == ()


def test_plain_client_on_the_tls_port(simulator_factory, raw_connect, api_connect) -> None:
    sim: Simulator = simulator_factory(tls=True)
    with socket.create_connection((sim.host, sim.port), timeout=5) as raw:
        raw.sendall(b"\x06/login\x00")
        try:
            data = raw.recv(100)
        except ConnectionError:
            data = b""
        assert b"!done" not in data
    assert tuple(api_connect(sim)("/ip/firewall/nat/print")) == ()


def test_stop_removes_the_certificate_and_key() -> None:
    sim = Simulator(tls=True).start()
    assert sim.ca_file is not None
    directory = sim.ca_file.parent
    assert {p.name for p in directory.iterdir()} == {"routeros-sim.crt", "routeros-sim.key"}
    sim.stop()
    assert not directory.exists()


def test_failed_start_removes_the_certificate_and_key() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        sim = Simulator(tls=True, port=taken.getsockname()[1])
        assert sim.ca_file is not None
        directory = sim.ca_file.parent
        with pytest.raises(ServerError, match="cannot listen"):
            sim.start()
    assert not directory.exists()


def test_stop_closes_a_connection_still_in_its_handshake() -> None:
    sim = Simulator(tls=True).start()
    with socket.create_connection((sim.host, sim.port), timeout=5) as raw:
        # Connected, no ClientHello: the server holds the socket, waiting for a handshake.
        deadline = time.monotonic() + 30
        while not sim.open_sessions and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sim.open_sessions == 1
        sim.stop()
        try:
            data = raw.recv(1)
        except ConnectionResetError:
            data = b""
        assert data == b""
