"""Reboot: conntrack empties, netwatch starts over (after v7's startup-delay), the scheduler
runs `start-time=startup` events; interval events run on the clock."""

from __future__ import annotations

from tests.simulator.behaviour_helpers import CONNECTION, add, cmd, make_sim, props

NETWATCH = "/tool/netwatch"
SCHEDULER = "/system/scheduler"
SERVER = "192.168.1.132"


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
    assert props(sim, NETWATCH, entry)["status"] == "unknown"
    sim.advance(59)
    assert props(sim, NETWATCH, entry)["status"] == "unknown"
    sim.advance(1)
    assert props(sim, NETWATCH, entry)["status"] == "up"


def test_v7_default_startup_delay_is_five_minutes():
    sim = make_sim("7.20")
    entry = add(sim, NETWATCH, host=SERVER)
    sim.reboot()
    sim.advance(299)
    assert props(sim, NETWATCH, entry)["status"] == "unknown"
    sim.advance(1)
    assert props(sim, NETWATCH, entry)["status"] == "up"


def test_v6_netwatch_probes_right_after_a_reboot():
    sim = make_sim("6.49")
    entry = add(sim, NETWATCH, host=SERVER)
    sim.advance(0)
    sim.reboot()
    assert props(sim, NETWATCH, entry)["status"] == "unknown"
    sim.advance(0)
    assert props(sim, NETWATCH, entry)["status"] == "up"


def test_startup_events_run_three_seconds_after_a_reboot_only():
    sim = make_sim("7.20")
    event = add(sim, SCHEDULER, name="sync", start_time="startup", on_event=":log info sync")
    sim.advance(60)
    assert props(sim, SCHEDULER, event)["run-count"] == "0"
    sim.reboot()
    sim.advance(2.9)
    assert props(sim, SCHEDULER, event)["run-count"] == "0"
    sim.advance(0.1)
    assert props(sim, SCHEDULER, event)["run-count"] == "1"
    sim.advance(3600)
    assert props(sim, SCHEDULER, event)["run-count"] == "1"


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
