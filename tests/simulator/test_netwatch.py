"""Netwatch timing and probe semantics on the virtual clock (the scripts it runs are covered
by the seed-tutorial test)."""

from __future__ import annotations

from tests.simulator.behaviour_helpers import add, cmd, make_sim, props

NETWATCH = "/tool/netwatch"
SERVER = "192.168.1.132"


def status(sim, item_id):
    return props(sim, NETWATCH, item_id).get("status")


def test_v6_probes_at_once_then_every_interval():
    sim = make_sim("6.49")
    entry = add(sim, NETWATCH, host=SERVER, interval="30s")
    assert status(sim, entry) == "unknown"
    sim.advance(0)
    assert status(sim, entry) == "up"
    up_since = props(sim, NETWATCH, entry)["since"]
    assert up_since == "jan/01/2026 00:00:00"
    sim.advance(1)
    sim.set_host(SERVER, up=False)
    sim.advance(28)
    assert status(sim, entry) == "up"
    sim.advance(1)
    assert status(sim, entry) == "down"
    assert props(sim, NETWATCH, entry)["since"] == "jan/01/2026 00:00:30"


def test_v7_waits_start_delay_then_probes_on_interval_and_counts_tests():
    sim = make_sim("7.20")
    entry = add(sim, NETWATCH, host=SERVER)  # defaults: start-delay 3s, interval 10s
    sim.advance(2.9)
    assert status(sim, entry) == "unknown"
    sim.advance(0.1)
    assert status(sim, entry) == "up"
    assert props(sim, NETWATCH, entry)["since"] == "2026-01-01 00:00:03"
    sim.set_host(SERVER, up=False)
    sim.advance(10)
    assert status(sim, entry) == "down"
    assert props(sim, NETWATCH, entry)["done-tests"] == "2"
    assert props(sim, NETWATCH, entry)["failed-tests"] == "1"


def test_an_edit_resets_to_unknown_and_restarts_probing():
    sim = make_sim("7.20")
    entry = add(sim, NETWATCH, host=SERVER, interval="1m")
    sim.advance(3)
    assert status(sim, entry) == "up"
    sim.advance(20)
    cmd(sim, f"{NETWATCH}/set", id=entry, comment="edited")
    assert status(sim, entry) == "unknown"
    sim.advance(2.9)
    assert status(sim, entry) == "unknown"
    sim.advance(0.1)
    assert status(sim, entry) == "up"


def test_disabled_entries_do_not_probe_and_enabling_restarts_them():
    sim = make_sim("6.49")
    entry = add(sim, NETWATCH, host=SERVER, disabled="yes")
    sim.advance(120)
    assert status(sim, entry) == "unknown"
    cmd(sim, f"{NETWATCH}/enable", id=entry)
    sim.advance(0)
    assert status(sim, entry) == "up"


def test_removed_entries_stop_probing():
    sim = make_sim("7.20")
    entry = add(sim, NETWATCH, host=SERVER)
    cmd(sim, f"{NETWATCH}/remove", id=entry)
    sim.advance(60)
    assert cmd(sim, f"{NETWATCH}/print").items == []


def test_tcp_conn_follows_the_port():
    sim = make_sim("7.20")
    entry = add(sim, NETWATCH, host=SERVER, type="tcp-conn", port="443", interval="5s")
    sim.set_host(SERVER, up=False, port=80)
    sim.advance(3)
    assert status(sim, entry) == "up"
    sim.set_host(SERVER, up=False, port=443)
    sim.advance(5)
    assert status(sim, entry) == "down"
    sim.set_host(SERVER, up=True, port=443)
    sim.advance(5)
    assert status(sim, entry) == "up"


def test_http_get_needs_an_accepted_code():
    sim = make_sim("7.20")
    plain = add(sim, NETWATCH, host=SERVER, type="http-get", interval="5s")
    strict = add(sim, NETWATCH, host=SERVER, type="http-get", interval="5s", http_codes="503")
    sim.advance(3)
    assert (status(sim, plain), status(sim, strict)) == ("up", "down")
    sim.set_host(SERVER, port=80, http_code=503)
    sim.advance(5)
    assert (status(sim, plain), status(sim, strict)) == ("down", "up")
    sim.set_host(SERVER, up=False)
    sim.advance(5)
    assert (status(sim, plain), status(sim, strict)) == ("down", "down")


def test_https_get_probes_port_443_unless_told():
    sim = make_sim("7.20")
    default = add(sim, NETWATCH, host=SERVER, type="https-get", interval="5s")
    on_80 = add(sim, NETWATCH, host=SERVER, type="https-get", port="80", interval="5s")
    sim.set_host(SERVER, up=False, port=443)
    sim.advance(3)
    assert (status(sim, default), status(sim, on_80)) == ("down", "up")


def test_simple_probe_ignores_ports():
    sim = make_sim("7.20")
    entry = add(sim, NETWATCH, host=SERVER)
    sim.set_host(SERVER, up=False, port=80)
    sim.advance(3)
    assert status(sim, entry) == "up"


def test_a_failing_netwatch_script_is_logged_and_probing_goes_on():
    sim = make_sim("7.20")
    entry = add(sim, NETWATCH, host=SERVER, interval="5s", down_script='/ip firewall nat set *FF')
    sim.advance(3)
    sim.set_host(SERVER, up=False)
    sim.advance(5)
    assert status(sim, entry) == "down"
    assert any(f"netwatch ({SERVER} down-script) failed" in line["message"] for line in sim.log)
    sim.set_host(SERVER, up=True)
    sim.advance(5)
    assert status(sim, entry) == "up"
