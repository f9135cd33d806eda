"""Bad input ends one session, never the server: each test checks another client still works."""

from __future__ import annotations

import socket

import pytest

from simulator import Simulator
from simulator.wire import MAX_WORD, encode_length, encode_word


def still_serves(sim: Simulator, api_connect) -> None:
    api = api_connect(sim)
    [row] = api("/ip/firewall/nat/print", **{"count-only": ""})
    assert isinstance(row["ret"], int)


@pytest.mark.parametrize(
    "junk",
    [
        pytest.param(b"\xf8", id="control-byte"),
        pytest.param(b"\xff\xff\xff\xff", id="all-ones"),
        pytest.param(encode_length(MAX_WORD + 1), id="huge-word"),
    ],
)
def test_malformed_input_gets_fatal_and_close(
    sim: Simulator, raw_connect, api_connect, junk: bytes
) -> None:
    client = raw_connect(sim)
    client.login()
    client.send_bytes(junk)
    reply = client.read()
    assert reply[0] == "!fatal"
    assert client.is_closed()
    still_serves(sim, api_connect)


def test_garbage_before_login(sim: Simulator, raw_connect, api_connect) -> None:
    client = raw_connect(sim)
    client.send_bytes(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    # Plausible-looking lengths: the simulator waits for the rest or refuses; either way it
    # must not serve this client, and must keep serving others.
    client.sock.shutdown(socket.SHUT_WR)
    assert client.is_closed()
    still_serves(sim, api_connect)


def test_half_sentence_then_disconnect(sim: Simulator, raw_connect, api_connect) -> None:
    client = raw_connect(sim)
    client.login()
    client.send_bytes(encode_word("/ip/firewall/nat/print") + b"\x10=.pro")
    client.close()
    still_serves(sim, api_connect)


def test_client_vanishing_mid_reply(sim: Simulator, raw_connect, api_connect) -> None:
    other = api_connect(sim)
    nat = other.path("/ip/firewall/nat")
    for n in range(200):
        nat.add(chain="dstnat", comment="x" * 200 + str(n))
    client = raw_connect(sim)
    client.login()
    client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    for _ in range(20):
        client.send("/ip/firewall/nat/print")
    client.read()
    # Reset rather than close, so the server's next writes fail.
    client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    client.close()
    assert len(tuple(nat)) == 200
    still_serves(sim, api_connect)


def test_sentence_without_a_slash_command(sim: Simulator, raw_connect) -> None:
    client = raw_connect(sim)
    client.login()
    replies = client.command("=chain=dstnat")
    assert replies[0][0] == "!trap"
    assert replies[-1] == ["!done"]
