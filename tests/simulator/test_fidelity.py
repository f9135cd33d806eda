"""What a real router refuses and does, held against references written from real routers
(community.routeros `_api_data.py`, terraform-provider-routeros's schemas, MikroTik's manual):
over TCP through librouteros, on 6.49 and 7.20."""

from __future__ import annotations

from typing import Any

import librouteros
import pytest
from librouteros.exceptions import TrapError

from simulator import Simulator
from simulator.testing import VERSIONS

NAT = "/ip/firewall/nat"
MANGLE = "/ip/firewall/mangle"
FILTER = "/ip/firewall/filter"


@pytest.fixture(params=VERSIONS)
def router(request: pytest.FixtureRequest, simulator_factory: Any,
           api_connect: Any) -> tuple[Simulator, librouteros.Api]:
    sim = simulator_factory(version=request.param)
    return sim, api_connect(sim)


def unknown(sim: Simulator, name: str) -> str:
    return f"unknown parameter {name}" if sim.profile.is_v7 else "unknown parameter"


def trap(api: librouteros.Api, command: str, **attributes: Any) -> TrapError:
    with pytest.raises(TrapError) as caught:
        list(api(command, **attributes))
    return caught.value


# -- firewall ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "value"), [
    ("connection-state", "new"), ("connection-nat-state", "dstnat"), ("tcp-flags", "syn"),
])
def test_nat_has_no_connection_state_matchers(router, name: str, value: str) -> None:
    sim, api = router
    error = trap(api, f"{NAT}/add", chain="dstnat", **{name: value})
    assert error.message == unknown(sim, name)
    assert list(api.path(NAT)) == []
    for path, chain in ((MANGLE, "prerouting"), (FILTER, "forward")):
        api.path(path).add(chain=chain, **{name: value})
        assert [row[name] for row in api.path(path)] == [value]


HAND_MADE = {
    "connection-limit": "100,32", "nth": "3,1", "time": "8h-17h,mon,tue,wed",
    "src-mac-address": "AA:BB:CC:DD:EE:01", "limit": "10/1s,5:packet",
    "dst-limit": "10/1m,5,src-address/1m", "layer7-protocol": "http",
    "packet-size": "!0-500", "icmp-options": "8:0", "tcp-mss": "1400-1500",
    "ttl": "equal:64", "dscp": 46, "connection-bytes": "0-1000000",
    "connection-rate": "0-100k", "in-interface-list": "WAN", "out-interface-list": "LAN",
    "src-address-list": "!trusted", "dst-address-list": "servers", "random": 50,
    "connection-type": "sip", "port": "80,443",
}


@pytest.mark.parametrize(("path", "chain"), [(NAT, "dstnat"), (MANGLE, "prerouting"),
                                         (FILTER, "forward")])
def test_hand_made_matchers_are_accepted_stored_and_printed(router, path: str,
                                                            chain: str) -> None:
    sim, api = router
    menu = api.path(path)
    for name, value in HAND_MADE.items():
        extra = {"protocol": "tcp"} if name in ("tcp-mss", "port") else {}
        menu.add(chain=chain, comment=name, **{name: value}, **extra)
    printed = {row["comment"]: row for row in menu}
    for name, value in HAND_MADE.items():
        assert printed[name][name] == value, name


@pytest.mark.parametrize(("name", "value"), [
    ("nth", "three"), ("time", "8-17"), ("src-mac-address", "AA:BB:CC"),
    ("limit", "fast"), ("ttl", "64"), ("dscp", 64), ("connection-limit", "100"),
    ("tcp-flags", "syn,sleepy"),
])
def test_malformed_matchers_are_refused(router, name: str, value: Any) -> None:
    sim, api = router
    error = trap(api, f"{MANGLE}/add", chain="prerouting", **{name: value})
    assert name in error.message
    assert list(api.path(MANGLE)) == []


def test_cheap_matchers_are_matched_in_the_data_plane(router) -> None:
    sim, api = router
    mangle = api.path(MANGLE)
    mangle.add(chain="prerouting", action="mark-connection", protocol="tcp",
               **{"new-connection-mark": "syn", "tcp-flags": "syn,!ack"})
    mangle.add(chain="prerouting", action="mark-connection", protocol="udp",
               **{"new-connection-mark": "small", "packet-size": "0-100"})
    tcp = sim.open_connection("192.0.2.1", 1000, "203.0.113.1", 80)
    udp = sim.open_connection("192.0.2.1", 1001, "203.0.113.1", 53, protocol="udp")
    assert (tcp.connection_mark, udp.connection_mark) == ("syn", "small")
    assert tcp.unsupported == ()
    assert udp.unsupported == ()


def test_unmodelled_matchers_are_reported_not_guessed(router) -> None:
    sim, api = router
    api.path(MANGLE).add(chain="prerouting", action="mark-connection", nth="2,1",
                         **{"new-connection-mark": "half"})
    result = sim.open_connection("192.0.2.1", 1000, "203.0.113.1", 80)
    assert result.connection_mark is None
    assert len(result.unsupported) == 1
    assert "nth" in result.unsupported[0]


def test_mangle_prints_passthrough_on_every_rule_from_7_19(router) -> None:
    sim, api = router
    mangle = api.path(MANGLE)
    mangle.add(chain="prerouting", action="accept")
    mangle.add(chain="prerouting", action="mark-connection", **{"new-connection-mark": "m"})
    accept, mark = list(mangle)
    assert mark["passthrough"] is True
    if sim.profile.is_v7:
        assert accept["passthrough"] is True
    else:
        assert "passthrough" not in accept


# -- netwatch ---------------------------------------------------------------------------------

NETWATCH = "/tool/netwatch"


@pytest.mark.parametrize("kind", ["simple", "icmp", "tcp-conn", "http-get", "https-get"])
def test_netwatch_host_is_an_address_unless_the_probe_is_dns(router, kind: str) -> None:
    sim, api = router
    netwatch = api.path(NETWATCH)
    v7 = sim.profile.is_v7
    typed = {"type": kind} if v7 else {}
    error = trap(api, f"{NETWATCH}/add", host="web.example.com", **typed)
    assert "host" in error.message
    assert list(netwatch) == []
    if v7:
        netwatch.add(host="10.0.0.1@main", type=kind)
        netwatch.add(host="web.example.com", type="dns")
        assert [row["host"] for row in netwatch] == ["10.0.0.1@main", "web.example.com"]
        [dns] = [row[".id"] for row in netwatch if row["type"] == "dns"]
        error = trap(api, f"{NETWATCH}/set", **{".id": dns, "type": kind})
        assert "host" in error.message


def test_netwatch_prints_type_and_empty_scripts_on_v7(router) -> None:
    sim, api = router
    netwatch = api.path(NETWATCH)
    netwatch.add(host="10.0.0.1")
    [row] = netwatch
    if sim.profile.is_v7:
        assert row["type"] == "simple"
        assert (row["up-script"], row["down-script"], row["test-script"]) == ("", "", "")
        assert "interval" not in row  # the other defaults apply unprinted
    else:
        assert "type" not in row
        assert (row["up-script"], row["down-script"]) == ("", "")


@pytest.mark.parametrize("version", ["6.49", "7.11", "7.16", "7.20"])
def test_netwatch_icmp_options_of_7_16(simulator_factory, api_connect, version: str) -> None:
    sim = simulator_factory(version=version)
    api = api_connect(sim)
    netwatch = api.path(NETWATCH)
    newer = {"accept-icmp-time-exceeded": "yes", "ttl": 64}
    if sim.profile.number >= (7, 16):
        netwatch.add(host="10.0.0.1", type="icmp", **newer)
        [row] = netwatch
        assert (row["accept-icmp-time-exceeded"], row["ttl"]) == (True, 64)
        error = trap(api, f"{NETWATCH}/add", host="10.0.0.2", ttl=256)
        assert "ttl" in error.message
    else:
        for name, value in newer.items():
            assert trap(api, f"{NETWATCH}/add", host="10.0.0.1",
                        **{name: value}).message == unknown(sim, name)


def test_netwatch_https_certificate_options(router) -> None:
    sim, api = router
    options = {"certificate": "server-ca", "check-certificate": "yes"}
    if not sim.profile.is_v7:
        assert trap(api, f"{NETWATCH}/add", host="10.0.0.1",
                    certificate="server-ca").message == unknown(sim, "certificate")
        return
    api.path(NETWATCH).add(host="10.0.0.1", type="https-get", **options)
    [row] = api.path(NETWATCH)
    assert (row["certificate"], row["check-certificate"]) == ("server-ca", True)


def test_http_get_passes_by_http_codes_and_100_to_299_without(router) -> None:
    sim, api = router
    if not sim.profile.is_v7:
        error = trap(api, f"{NETWATCH}/add", host="10.0.0.1", type="http-get")
        assert error.message == unknown(sim, "type")
        return
    netwatch = api.path(NETWATCH)
    for name in ("http-code-min", "http-code-max"):
        error = trap(api, f"{NETWATCH}/add", host="10.0.0.1", type="http-get", **{name: 200})
        assert error.message == unknown(sim, name)
    assert "http-codes" in trap(api, f"{NETWATCH}/add", host="10.0.0.1", type="http-get",
                                **{"http-codes": "ok"}).message
    sim.set_host("10.0.0.1", port=80, http_code=301)
    sim.set_host("10.0.0.2", port=80, http_code=204)
    sim.set_host("10.0.0.3", port=80, http_code=301)
    netwatch.add(host="10.0.0.1", type="http-get", name="redirect")
    netwatch.add(host="10.0.0.2", type="http-get", name="no-content")
    netwatch.add(host="10.0.0.3", type="http-get", name="listed", **{"http-codes": "200,301"})
    sim.advance(5)
    assert {row["name"]: row["status"] for row in netwatch} == {
        "redirect": "down", "no-content": "up", "listed": "up"}


# -- scheduler --------------------------------------------------------------------------------

SCHEDULER = "/system/scheduler"


def test_startup_entries_print_the_epoch_as_start_date(router) -> None:
    sim, api = router
    scheduler = api.path(SCHEDULER)
    scheduler.add(name="boot", **{"start-time": "startup", "on-event": ":log info boot"})
    scheduler.add(name="later", **{"start-time": "01:00:00", "on-event": ":log info later"})
    epoch = "1970-01-01" if sim.profile.iso_dates else "jan/01/1970"
    rows = {row["name"]: row for row in scheduler}
    assert rows["boot"]["start-date"] == epoch
    assert rows["later"]["start-date"] != epoch
    scheduler.update(**{".id": rows["later"][".id"], "start-time": "startup"})
    assert {row["name"]: row["start-date"] for row in scheduler}["later"] == epoch


def test_startup_with_an_interval_does_not_run_at_boot(router) -> None:
    sim, api = router
    scheduler = api.path(SCHEDULER)
    scheduler.add(name="once", **{"start-time": "startup", "on-event": ":log info once"})
    scheduler.add(name="every", interval="10m",
                  **{"start-time": "startup", "on-event": ":log info every"})
    sim.reboot()
    api = librouteros.connect(sim.host, sim.username, sim.password, port=sim.port)
    try:
        sim.advance(60)
        counts = {row["name"]: row["run-count"] for row in api.path(SCHEDULER)}
        assert counts == {"once": 1, "every": 0}
        sim.advance(600)
        counts = {row["name"]: row["run-count"] for row in api.path(SCHEDULER)}
        assert counts == {"once": 1, "every": 1}
    finally:
        api.close()


# -- interface lists ----------------------------------------------------------------------------

def test_interface_lists_and_members_over_the_api(router) -> None:
    """The menus the default configuration's firewall refers to; the data plane reads them."""
    sim, api = router
    lists, members = api.path("/interface/list"), api.path("/interface/list/member")
    lists.add(name="uplinks", comment="ours")
    members.add(list="uplinks", interface="ether2")
    assert [(row["list"], row["interface"]) for row in members] == [("uplinks", "ether2")]
    assert trap(api, "/interface/list/add", name="uplinks").message == (
        "failure: entry already exists")
    assert trap(api, "/interface/list/add", name="all").message == (
        "failure: entry already exists")
    assert trap(api, "/interface/list/member/add", list="nowhere", interface="ether3").message == (
        "input does not match any value of list")
    assert trap(api, "/interface/list/member/add", list="uplinks", interface="ether2").message == (
        "failure: already have such entry")
    api.path(MANGLE).add(chain="prerouting", action="mark-connection",
                         **{"new-connection-mark": "up", "in-interface-list": "uplinks"})
    assert sim.open_connection("198.51.100.7", 1000, "203.0.113.2", 80,
                               in_interface="ether2").connection_mark == "up"
    assert sim.open_connection("198.51.100.7", 1001, "203.0.113.2", 80,
                               in_interface="ether1").connection_mark is None


def test_the_default_configuration_puts_ether1_in_wan_and_the_bridge_in_lan(
        simulator_factory: Any, api_connect: Any) -> None:
    api = api_connect(simulator_factory(seed_defconf=True))
    assert sorted((row["list"], row["interface"])
                  for row in api.path("/interface/list/member")) == [
        ("LAN", "bridge"), ("WAN", "ether1")]
