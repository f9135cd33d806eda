"""A router reboot, end to end through the real provider host.

A RouterOS reboot closes every API session, gives every item a new `.id` and forgets conntrack.
Configuration stays, so for a user nothing changed: `refresh` must find every resource again
(by its ownership tag — declared, or the default one — or by the name of an untagged script or
scheduler) under its new id and report no drift; the next `up` must be all `same` with no write;
ChainOrder must follow its rules to their new ids.
A provider host whose connection the reboot closed reconnects once and carries on, and a create
retried after a reboot adopts what is there instead of adding it again.
"""

from __future__ import annotations

from collections import Counter

import pytest

from engine_standin.capture import Registration, capture
from engine_standin.driver import Driver
from engine_standin.host import ProviderHost
from providers.chain_order import ChainOrder
from providers.resources import EmailSettings, MangleRule, NatRule, Netwatch, Scheduler, Script
from simulator import Simulator
from tests.lifecycle.routers import (
    PASSWORD,
    STACK_CONFIG,
    Served,
    by_hand,
    chain_ids,
    host_env,
    running_simulator,
    settings_for,
)

MANGLE = "/ip/firewall/mangle"
NAT = "/ip/firewall/nat"
ANCHOR = "admin: catch-all"
# What check may cost in a fresh provider host: a login and the version, once per router.
VERSION_READ = {"/login": 1, "/system/resource/print": 1}


def program(sim: Simulator) -> list[Registration]:
    router = settings_for(sim)

    def declare() -> None:
        # The first of each declares its tag; the second (and the probe) carry the default
        # one, derived from project, stack and name: both are followed across the reboot.
        marks = [
            MangleRule(f"mark-{i}", router=router, chain="prerouting",
                       action="mark-connection", new_connection_mark=f"web-{i}",
                       connection_mark="no-mark", passthrough=False,
                       per_connection_classifier=f"src-address:2/{i}",
                       **({"ownership_tag": "reboot:mark-0"} if i == 0 else {}))
            for i in range(2)
        ]
        nats = [
            NatRule(f"nat-{i}", router=router, chain="dstnat", action="dst-nat",
                    connection_mark=f"web-{i}", to_addresses=address, comment=f"web {i}",
                    **({"ownership_tag": "reboot:nat-0"} if i == 0 else {}))
            for i, address in enumerate(["10.0.0.2", "10.0.0.3"])
        ]
        Script("sync", router=router, name="lb-sync", policy=["read", "write", "test"],
               source=':log info "sync"')
        Scheduler("sync-schedule", router=router, name="lb-sync-schedule", on_event="lb-sync",
                  interval="1m")
        Netwatch("watch", router=router, host="10.0.0.2", interval="10s")
        EmailSettings("email", router=router, server="10.0.0.1", port="25")
        # Wanted in reverse creation order, so the order is ours, not the router's.
        ChainOrder("mark-order", router=router, path=MANGLE, chain="prerouting",
                   rule_ids=[marks[1].id, marks[0].id], position="top")
        ChainOrder("nat-order", router=router, path=NAT, chain="dstnat",
                   rule_ids=[rule.id for rule in nats], position="before",
                   before_comment=ANCHOR)

    return capture(declare)


def names(steps) -> dict[str, str]:
    return {step.urn.rsplit("::", 1)[1]: step.op for step in steps}


def ids_of(driver: Driver) -> dict[str, str]:
    return {urn.rsplit("::", 1)[1]: entry.id for urn, entry in driver.state.items()}


def state_of(driver: Driver, name: str):
    return next(entry for urn, entry in driver.state.items() if urn.endswith(f"::{name}"))


PATHS = {"mark": MANGLE, "nat": NAT, "sync": "/system/script",
         "sync-schedule": "/system/scheduler", "watch": "/tool/netwatch"}


def printed_ids(sim: Simulator, name: str) -> set[str]:
    """The ids in the menu of resource `name` (its path found by the name's prefix)."""
    path = PATHS.get(name) or PATHS[name.split("-")[0]]
    return {item.printed_id for item in sim.router.menus[path].items}


ROUTER_OBJECTS = ("mark-0", "mark-1", "nat-0", "nat-1", "sync", "sync-schedule", "watch")


@pytest.fixture(params=["6.49", "7.20"])
def sim(request):
    with running_simulator(version=request.param) as simulator:
        with by_hand(simulator) as api:
            api.path(NAT).add(chain="dstnat", action="accept", comment=ANCHOR)
        yield simulator


def test_refresh_after_a_reboot_finds_everything_and_the_next_up_writes_nothing(
    sim: Simulator, driver: Driver
) -> None:
    resources = program(sim)
    assert set(names(driver.up(resources)).values()) == {"create"}
    assert sorted(item.props.get("comment") for item in sim.router.menus[NAT].items) == [
        ANCHOR, "web 0 [lb:reboot:nat-0]", "web 1 [lb:routeros-lb:dev:NatRule:nat-1]"]
    assert [item.props.get("comment") for item in sim.router.menus["/tool/netwatch"].items] == [
        "[lb:routeros-lb:dev:Netwatch:watch]"]
    before = ids_of(driver)
    outputs_before = {name: dict(state_of(driver, name).outputs) for name in before}

    sim.reboot()
    for name in ROUTER_OBJECTS:
        assert before[name] not in printed_ids(sim, name), name

    served = Served(sim)
    refreshed = driver.refresh()
    assert served.writes() == {}
    assert {step.op for step in refreshed} == {"refresh"}
    after = ids_of(driver)
    for name, id_ in after.items():
        if name in ROUTER_OBJECTS:
            assert id_ in printed_ids(sim, name), name
        else:
            assert id_ == before[name]  # not router ids: they survive a reboot
    # Only the ids moved: every other output is what it was, and no drift is reported.
    for step in refreshed:
        name = step.urn.rsplit("::", 1)[1]
        if name in ("mark-order", "nat-order"):
            assert set(step.changed) <= {"rule_ids", "observed_ids"}, (name, step.changed)
        else:
            assert step.changed == (), (name, step.changed)
    for name in ("mark-order", "nat-order"):
        outputs = state_of(driver, name).outputs
        assert outputs["drift"] == []
        assert outputs["rule_ids"] == outputs["observed_ids"]
        assert set(outputs["rule_ids"]) <= set(after.values())
    mark_order = state_of(driver, "mark-order").outputs
    assert mark_order["rule_ids"] == [after["mark-1"], after["mark-0"]]
    assert chain_ids(sim, MANGLE, "prerouting") == [after["mark-1"], after["mark-0"]]
    for name, outputs in outputs_before.items():
        if "order" not in name:
            assert state_of(driver, name).outputs == outputs, name

    # up: all same, nothing written; preview agrees.
    served = Served(sim)
    assert set(names(driver.preview(resources)).values()) == {"same"}
    assert set(names(driver.up(resources)).values()) == {"same"}
    assert served.writes() == {}
    assert served() == {command: 2 * n for command, n in VERSION_READ.items()}

    # A change after the reboot goes to the new ids, and destroy leaves nothing of ours.
    driver.destroy()
    assert driver.state == {}
    for path in (MANGLE, NAT, "/tool/netwatch"):
        assert not any("[lb:" in item.props.get("comment", "")
                       for item in sim.router.menus[path].items)
    assert sim.router.menus["/system/script"].items == []
    assert sim.router.menus["/system/scheduler"].items == []
    assert PASSWORD not in repr(driver.state)


def test_up_without_refresh_after_a_reboot_then_destroy_leaves_nothing(
    sim: Simulator, driver: Driver
) -> None:
    """`pulumi up` and `pulumi destroy` do not refresh first: the state holds the ids from
    before the reboot. Nothing may be written twice, and destroy must still remove everything."""
    resources = program(sim)
    driver.up(resources)
    sim.reboot()
    served = Served(sim)
    assert set(names(driver.up(resources)).values()) == {"same"}
    assert served.writes() == {}
    driver.destroy()
    for path in (MANGLE, NAT, "/tool/netwatch"):
        assert not any("[lb:" in item.props.get("comment", "")
                       for item in sim.router.menus[path].items), path
    assert sim.router.menus["/system/script"].items == []
    assert sim.router.menus["/system/scheduler"].items == []


def test_a_host_whose_connection_a_reboot_closed_reconnects_once(sim: Simulator) -> None:
    """One provider host across the reboot: its open session is dropped; the next calls log in
    again once and succeed; a create retried after the reboot adopts, never adds again."""
    resources = {reg.name: reg for reg in program(sim)}
    with ProviderHost(config=STACK_CONFIG, env=host_env()) as host:
        mark = resources["mark-0"]
        checked = host.check(mark.urn, {}, mark.inputs).inputs
        old_id, outputs = host.create(mark.urn, checked)
        # A read just before the reboot: what it printed must not outlive the connection.
        assert host.read(mark.urn, old_id, outputs, checked)[0] == old_id
        assert sim.open_sessions == 1
        logins = sim.router.stats["/login"]

        sim.reboot()
        assert sim.open_sessions == 0
        served = Served(sim)
        # The engine retries a create whose reply it lost: the object is adopted by its tag.
        new_id, _ = host.create(mark.urn, checked)
        assert new_id != old_id
        assert chain_ids(sim, MANGLE, "prerouting") == [new_id]
        read_id, read_outputs, _ = host.read(mark.urn, old_id, outputs, checked)
        assert read_id == new_id
        assert read_outputs == outputs
        # An update (an idempotent `set`) through the same connection.
        changed = {**checked, "comment": "after the reboot"}
        host.update(mark.urn, new_id, read_outputs, changed, checked)
        assert sim.router.stats["/login"] == logins + 1
        assert served.writes() == {f"{MANGLE}/set": 1}
        assert Counter(item.props["comment"] for item in sim.router.menus[MANGLE].items) == {
            "after the reboot [lb:reboot:mark-0]": 1}
    assert PASSWORD not in host.stdout + host.stderr
