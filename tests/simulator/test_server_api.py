"""The server through real clients over TCP: librouteros where it can, raw sockets elsewhere."""

from __future__ import annotations

import librouteros
import pytest
from librouteros.exceptions import FatalError, TrapError

from simulator import Simulator
from simulator.server import ServerError


def test_librouteros_round_trip_on_both_profiles(sim_any_version: Simulator, api_connect) -> None:
    api = api_connect(sim_any_version)
    nat = api.path("/ip/firewall/nat")
    new_id = nat.add(chain="dstnat", comment="web=1")
    assert new_id.startswith("*")
    rows = [row for row in nat if row[".id"] == new_id]
    assert rows[0]["comment"] == "web=1"
    assert sim_any_version.stats["/login"] == 1
    assert sim_any_version.stats["/ip/firewall/nat/add"] == 1
    assert sim_any_version.stats["/ip/firewall/nat/print"] == 1


def test_wrong_password_is_the_real_trap(sim_any_version: Simulator, api_connect) -> None:
    with pytest.raises(TrapError) as caught:
        api_connect(sim_any_version, password="wrong")
    assert caught.value.message == "invalid user name or password (6)"


def test_legacy_token_login_on_6_40(simulator_factory, api_connect) -> None:
    sim = simulator_factory(version="6.40", password="s3cret")
    api = api_connect(sim)  # picks librouteros' token login for this profile
    assert tuple(api("/ip/firewall/nat/print")) == ()
    with pytest.raises(TrapError, match="cannot log in"):
        api_connect(sim, password="wrong")
    assert sim.stats["/login"] == 4  # two steps per legacy login


def test_router_trap_reaches_librouteros(api) -> None:
    with pytest.raises(TrapError) as caught:
        tuple(api("/ip/firewall/nat/remove", **{".id": "*9"}))
    assert (caught.value.message, caught.value.category) == ("no such item (4)", None)


def test_several_tagged_commands_outstanding(sim: Simulator, raw_connect) -> None:
    client = raw_connect(sim)
    client.login()
    client.send("/ip/firewall/nat/listen", ".tag=listen")
    client.send("/ip/firewall/nat/add", "=chain=dstnat", "=comment=a", ".tag=add")
    client.send("/ip/firewall/nat/print", "=count-only=", ".tag=count")
    replies = [client.read() for _ in range(3)]
    assert replies[0][:2] == ["!re", ".tag=listen"]
    assert replies[1][:2] == ["!done", ".tag=add"]
    assert replies[2] == ["!done", ".tag=count", "=ret=1"]
    client.send("/cancel", "=tag=listen", ".tag=stop")
    assert [client.read() for _ in range(3)] == [
        ["!trap", ".tag=listen", "=category=2", "=message=interrupted"],
        ["!done", ".tag=listen"],
        ["!done", ".tag=stop"],
    ]


def test_quit_answers_fatal_and_closes(sim: Simulator, raw_connect) -> None:
    client = raw_connect(sim)
    client.login()
    assert client.command("/quit") == [["!fatal", "session terminated on request"]]
    assert client.is_closed()


def test_quit_through_librouteros(api) -> None:
    with pytest.raises(FatalError, match="session terminated on request"):
        tuple(api("/quit"))


def test_command_before_login_is_fatal(sim: Simulator, raw_connect) -> None:
    client = raw_connect(sim)
    assert client.command("/ip/firewall/nat/print") == [["!fatal", "not logged in"]]
    assert client.is_closed()


def test_three_failed_logins_close_the_connection(sim: Simulator, raw_connect) -> None:
    client = raw_connect(sim)
    for _ in range(3):
        assert client.command("/login", "=name=admin", "=password=x")[0][0] == "!trap"
    assert client.is_closed()


def test_five_byte_length_from_a_client(sim: Simulator, raw_connect) -> None:
    client = raw_connect(sim)
    client.login()
    word = b"/ip/firewall/nat/print"
    client.send_bytes(b"\xf0" + len(word).to_bytes(4, "big") + word + b"\x00")
    assert client.read_until_done()[-1] == ["!done"]


def test_non_loopback_host_is_refused() -> None:
    with pytest.raises(ServerError, match="loopback"):
        Simulator(host="0.0.0.0")  # noqa: S104 - the point is that it is refused
    with pytest.raises(ServerError, match="loopback"):
        Simulator(host="example.com")


def test_stop_closes_open_sessions(simulator_factory, api_connect) -> None:
    sim = simulator_factory()
    api = api_connect(sim)
    sim.stop()
    with pytest.raises((librouteros.exceptions.ConnectionClosed, OSError)):
        tuple(api("/ip/firewall/nat/print"))
