"""Reboot: ids change, conntrack empties, counters and uptime restart, netwatch starts over
(after v7's startup-delay), the scheduler runs `start-time=startup` events; interval events run
on the clock. `/system/reboot` over the API and `/system reboot` in a script do the same.

Ids change on a reboot, so these tests find items again by what they are, not by id."""

from __future__ import annotations

import pytest
from librouteros.exceptions import ConnectionClosed

from simulator.api import ALL_POLICIES, CommandError
from simulator.harness import Simulator
from simulator.script import run_script
from tests.simulator.behaviour_helpers import CONNECTION, NAT, add, cmd, make_sim, props

NETWATCH = "/tool/netwatch"
SCHEDULER = "/system/scheduler"
SERVER = "192.168.1.132"


def only(sim, path):
    (item,) = cmd(sim, f"{path}/print").items
    return item


def test_reboot_empties_conntrack():
    sim = make_sim()
    sim.open_connection("198.51.100.7", 1000, "203.0.113.2", 80)
    sim.reboot()
    assert cmd(sim, f"{CONNECTION}/print").items == []
    assert sim.open_connection("198.51.100.7", 1000, "203.0.113.2", 80).new
    assert any(line["message"] == "router rebooted" for line in sim.log)


def test_v7_netwatch_waits_startup_delay_after_a_reboot():
    sim = make_sim("7.20")
    entry = add(sim, NETWATCH, host=SERVER, startup_delay="1m")
    sim.advance(3)
    assert props(sim, NETWATCH, entry)["status"] == "up"
    sim.reboot()
    assert only(sim, NETWATCH)["status"] == "unknown"
    sim.advance(59)
    assert only(sim, NETWATCH)["status"] == "unknown"
    sim.advance(1)
    assert only(sim, NETWATCH)["status"] == "up"


def test_v7_default_startup_delay_is_five_minutes():
    sim = make_sim("7.20")
    add(sim, NETWATCH, host=SERVER)
    sim.reboot()
    sim.advance(299)
    assert only(sim, NETWATCH)["status"] == "unknown"
    sim.advance(1)
    assert only(sim, NETWATCH)["status"] == "up"


def test_v6_netwatch_probes_right_after_a_reboot():
    sim = make_sim("6.49")
    add(sim, NETWATCH, host=SERVER)
    sim.advance(0)
    sim.reboot()
    assert only(sim, NETWATCH)["status"] == "unknown"
    sim.advance(0)
    assert only(sim, NETWATCH)["status"] == "up"


def test_startup_events_run_three_seconds_after_a_reboot_only():
    sim = make_sim("7.20")
    event = add(sim, SCHEDULER, name="sync", start_time="startup", on_event=":log info sync")
    sim.advance(60)
    assert props(sim, SCHEDULER, event)["run-count"] == "0"
    sim.reboot()
    sim.advance(2.9)
    assert only(sim, SCHEDULER)["run-count"] == "0"
    sim.advance(0.1)
    assert only(sim, SCHEDULER)["run-count"] == "1"
    sim.advance(3600)
    assert only(sim, SCHEDULER)["run-count"] == "1"


def test_interval_events_run_on_the_clock_and_bump_run_count_and_next_run():
    sim = make_sim("7.20")
    event = add(sim, SCHEDULER, name="tick", interval="1m", on_event=":log info tick")
    first = props(sim, SCHEDULER, event)["next-run"]
    assert first == "2026-01-01 00:01:00"
    sim.advance(60)
    assert props(sim, SCHEDULER, event)["run-count"] == "1"
    assert props(sim, SCHEDULER, event)["next-run"] == "2026-01-01 00:02:00"
    sim.advance(240)
    assert props(sim, SCHEDULER, event)["run-count"] == "5"


def test_disabling_an_event_stops_it():
    sim = make_sim("6.49")
    event = add(sim, SCHEDULER, name="tick", interval="10s", on_event=":log info tick")
    sim.advance(10)
    cmd(sim, f"{SCHEDULER}/disable", id=event)
    sim.advance(100)
    assert props(sim, SCHEDULER, event)["run-count"] == "1"


def test_a_failing_scheduled_script_is_logged_and_the_router_carries_on():
    sim = make_sim("7.20")
    add(sim, SCHEDULER, name="broken", interval="10s", on_event="/ip firewall nat remove *FFF")
    sim.advance(30)
    ours = [line for line in sim.log if "scheduler (broken) failed" in line["message"]]
    assert len(ours) == 3
    assert all("error" in line["topics"] for line in ours)


def test_a_reboot_changes_every_id_keeps_the_order_and_old_ids_are_gone():
    """What the providers rely on: an id held from before a reboot is gone (never another
    item's), so they find their objects again by ownership tag."""
    sim = make_sim("7.20")
    ids = [add(sim, NAT, chain="dstnat", action="accept", comment=f"lb-{n}") for n in range(4)]
    cmd(sim, f"{NAT}/remove", id=ids[1])
    before = [(row[".id"], row["comment"]) for row in cmd(sim, f"{NAT}/print").items]
    sim.reboot()
    after = [(row[".id"], row["comment"]) for row in cmd(sim, f"{NAT}/print").items]
    assert [c for _, c in after] == [c for _, c in before] == ["lb-0", "lb-2", "lb-3"]
    assert not {i for i, _ in after} & set(ids)
    for old in ids:
        with pytest.raises(CommandError, match=r"no such item \(4\)"):
            cmd(sim, f"{NAT}/set", id=old, comment="x")
    newest = add(sim, NAT, chain="dstnat", action="accept", comment="lb-4")
    assert int(newest[1:], 16) > max(int(i[1:], 16) for i, _ in after)


def test_a_reboot_restarts_counters_uptime_and_globals():
    sim = make_sim("7.20")
    rule = add(sim, NAT, chain="dstnat", action="dst-nat", to_addresses=SERVER)
    sim.open_connection("198.51.100.7", 1000, "203.0.113.2", 80)
    assert props(sim, NAT, rule)["packets"] == "1"
    run_script(sim.router, ':global lastState "down"', policies=ALL_POLICIES)
    sim.advance(100)
    assert cmd(sim, "/system/resource/get", value_name="uptime").ret == "1m40s"
    sim.reboot()
    assert only(sim, NAT)["packets"] == "0"
    assert only(sim, NAT)["bytes"] == "0"
    assert cmd(sim, "/system/resource/get", value_name="uptime").ret == "0s"
    sim.advance(5)
    assert cmd(sim, "/system/resource/get", value_name="uptime").ret == "5s"
    out = run_script(sim.router, ":global lastState\n:put [:typeof $lastState]",
                     policies=ALL_POLICIES)
    assert out == "nil\n"


# What a client sees when the router goes away under it: librouteros reads the end of the
# stream (ConnectionClosed), or the write already fails (OSError: reset, broken pipe).
DROPPED = (ConnectionClosed, OSError)


def test_system_reboot_over_the_api_reboots_a_second_later(sim_any_version, api_connect):
    sim = sim_any_version
    api = api_connect(sim)
    nat = api.path("ip", "firewall", "nat")
    old = nat.add(chain="dstnat", action="accept", comment="lb-web")
    # The requester gets its `!done` first: the reboot, and the drop of its session, come later.
    assert list(api("/system/reboot")) == []
    sim.advance(0.9)
    assert next(iter(nat))[".id"] == old
    assert sim.open_sessions == 1
    sim.advance(0.1)
    assert sim.open_sessions == 0
    with pytest.raises(DROPPED):
        list(nat)
    (rule,) = api_connect(sim).path("ip", "firewall", "nat")
    assert rule["comment"] == "lb-web"
    assert rule[".id"] != old
    assert "router rebooted" in [line["message"] for line in sim.log]


def test_a_reboot_drops_every_api_session_and_a_new_one_works(sim_any_version, api_connect):
    sim = sim_any_version
    first, second = api_connect(sim), api_connect(sim)
    nat = first.path("ip", "firewall", "nat")
    old = nat.add(chain="dstnat", action="accept", comment="lb-web")
    assert sim.open_sessions == 2
    sim.reboot()
    assert sim.open_sessions == 0
    for api in (first, second):
        with pytest.raises(DROPPED):
            list(api.path("ip", "firewall", "nat"))
    again = api_connect(sim)
    (rule,) = again.path("ip", "firewall", "nat")
    assert rule["comment"] == "lb-web"
    assert rule[".id"] != old
    # The listener stayed: the new session is an ordinary one, and the next reboot drops it too.
    assert sim.open_sessions == 1
    sim.reboot()
    assert sim.open_sessions == 0


def test_a_reboot_drops_tls_sessions_too(simulator_factory, api_connect):
    sim = simulator_factory(version="7.20", tls=True)
    api = api_connect(sim)
    sim.reboot()
    with pytest.raises(DROPPED):
        list(api.path("system", "resource"))
    assert list(api_connect(sim).path("system", "resource"))


def test_a_reboot_with_no_server_running_is_only_a_reboot():
    sim = make_sim()
    rule = add(sim, NAT, chain="dstnat", action="accept")
    sim.reboot()
    assert only(sim, NAT)[".id"] != rule


def test_system_reboot_from_a_script_needs_the_reboot_policy():
    sim = make_sim("6.49")
    add(sim, "/system/script", name="restart", policy="read,write", source="/system reboot")
    with pytest.raises(CommandError, match=r"not enough permissions \(9\)"):
        cmd(sim, "/system/script/run", id="restart")
    cmd(sim, "/system/script/set", id="restart", policy="read,write,reboot")
    rule = add(sim, NAT, chain="dstnat", action="accept")
    cmd(sim, "/system/script/run", id="restart")
    sim.advance(1)
    assert only(sim, NAT)[".id"] != rule


def test_a_netwatch_script_may_reboot_and_a_boot_loop_only_costs_virtual_time():
    sim = make_sim("6.49")  # v6: no startup-delay, the first probe after boot is at once
    add(sim, NETWATCH, host=SERVER, interval="10s", down_script="/system reboot")
    sim.advance(30)
    sim.set_host(SERVER, up=False)
    sim.advance(11)  # the probe at 40 s runs the down-script; the reboot follows at 41 s
    assert cmd(sim, "/system/resource/get", value_name="uptime").ret == "0s"
    sim.advance(10)  # down again at every boot: one reboot a second, and advance returns
    reboots = [line for line in sim.log if line["message"] == "router rebooted"]
    assert len(reboots) == 11


def test_the_state_file_keeps_the_ids_a_reboot_gave(tmp_path):
    state = tmp_path / "router.json"
    sim = Simulator(version="7.20", state_file=state)
    add(sim, NAT, chain="dstnat", action="accept", comment="lb-web")
    sim.reboot()
    renumbered = only(sim, NAT)[".id"]
    restarted = Simulator(version="7.20", state_file=state)
    assert only(restarted, NAT)[".id"] == renumbered
