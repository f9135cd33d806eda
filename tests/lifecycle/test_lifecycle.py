"""A program of rules and their ChainOrders through the real provider host, step by step as the
engine takes them: up, no-op up, preview and change, drift and refresh, destroy.

The router starts from the default configuration (dynamic rules at the head of chains, a defconf
masquerade) plus an admin's own rule, and those must come out of it as they went in.
"""

from __future__ import annotations

import pytest

from engine_standin.capture import Registration, capture
from engine_standin.driver import Driver
from providers.chain_order import ChainOrder
from providers.resources import MangleRule, NatRule
from simulator import Simulator
from tests.lifecycle.routers import (
    PASSWORD,
    Served,
    by_hand,
    chain_ids,
    running_simulator,
    settings_for,
)

MANGLE = "/ip/firewall/mangle"
NAT = "/ip/firewall/nat"
# What check may cost in a fresh provider host: a login and the version, once per router.
VERSION_READ = {"/login": 1, "/system/resource/print": 1}
ANCHOR = "admin: catch-all"


def program(sim: Simulator, servers: list[str], mark_order: list[int]) -> list[Registration]:
    router = settings_for(sim)

    def declare() -> None:
        marks = [
            MangleRule(f"mark-{i}", router=router, chain="prerouting",
                       action="mark-connection", new_connection_mark=f"web-{i}",
                       connection_mark="no-mark", passthrough=False,
                       per_connection_classifier=f"src-address:{len(servers)}/{i}",
                       ownership_tag=f"test:mark-{i}")
            for i in range(len(servers))
        ]
        nats = [
            NatRule(f"nat-{i}", router=router, chain="dstnat", action="dst-nat",
                    connection_mark=f"web-{i}", to_addresses=address,
                    ownership_tag=f"test:nat-{i}")
            for i, address in enumerate(servers)
        ]
        ChainOrder("mark-order", router=router, path=MANGLE, chain="prerouting",
                   rule_ids=[marks[i].id for i in mark_order], position="top")
        ChainOrder("nat-order", router=router, path=NAT, chain="dstnat",
                   rule_ids=[rule.id for rule in nats], position="before",
                   before_comment=ANCHOR)

    return capture(declare)


def ops(steps) -> dict[str, str]:
    return {step.urn.rsplit("::", 1)[1]: step.op for step in steps}


def assert_no_password(driver: Driver) -> None:
    assert PASSWORD not in repr(driver.state)
    for text in driver.logs:
        assert PASSWORD not in text


@pytest.fixture
def sim():
    with running_simulator(seed_defconf=True) as simulator:
        yield simulator


def test_up_noop_change_drift_destroy(sim: Simulator, driver: Driver) -> None:
    with by_hand(sim) as api:
        anchor = api.path(NAT).add(chain="dstnat", action="accept", comment=ANCHOR)
    dynamic_mangle = chain_ids(sim, MANGLE, "prerouting")
    srcnat_before = chain_ids(sim, NAT, "srcnat")

    # up: two marks (wanted in reverse order), two dst-nats before the admin's rule.
    served = Served(sim)
    steps = driver.up(program(sim, ["10.0.0.2", "10.0.0.3"], mark_order=[1, 0]))
    assert set(ops(steps).values()) == {"create"}
    assert len(steps) == 6
    ids = {urn.rsplit("::", 1)[1]: entry.id for urn, entry in driver.state.items()}
    assert chain_ids(sim, MANGLE, "prerouting") == [*dynamic_mangle, ids["mark-1"], ids["mark-0"]]
    assert chain_ids(sim, NAT, "dstnat") == [ids["nat-0"], ids["nat-1"], anchor]
    # Adds append; then one move each: mark-1 before mark-0, the admin's rule past our block.
    assert served.writes() == {f"{MANGLE}/add": 2, f"{NAT}/add": 2,
                                          f"{MANGLE}/move": 1, f"{NAT}/move": 1}
    assert_no_password(driver)

    # no-op up: nothing but `same`; check reads the router's version, nothing else.
    served = Served(sim)
    steps = driver.up(program(sim, ["10.0.0.2", "10.0.0.3"], mark_order=[1, 0]))
    assert set(ops(steps).values()) == {"same"}
    assert served() == VERSION_READ

    # change: preview touches nothing; up updates one NAT rule and re-orders the marks.
    changed = program(sim, ["10.0.0.2", "10.0.0.9"], mark_order=[0, 1])
    served = Served(sim)
    preview = ops(driver.preview(changed))
    assert served() == VERSION_READ
    steps = ops(driver.up(changed))
    assert preview == steps
    assert steps == {"mark-0": "same", "mark-1": "same", "nat-0": "same", "nat-1": "update",
                     "mark-order": "update", "nat-order": "same"}
    assert served.writes() == {f"{NAT}/set": 1, f"{MANGLE}/move": 1}
    assert chain_ids(sim, MANGLE, "prerouting") == [*dynamic_mangle, ids["mark-0"], ids["mark-1"]]
    assert sim.router.menus[NAT].items[-2].props["to-addresses"] == "10.0.0.9"

    # drift: an admin re-orders the marks and edits a NAT rule behind Pulumi's back.
    with by_hand(sim) as api:
        tuple(api(f"{MANGLE}/move", numbers=ids["mark-0"]))
        api.path(NAT).update(**{".id": ids["nat-0"], "to-addresses": "10.0.0.66"})
    served = Served(sim)
    refreshed = {step.urn.rsplit("::", 1)[1]: step.changed for step in driver.refresh()}
    reads = served()
    assert served.writes() == {}
    assert reads[f"{MANGLE}/print"] == 1
    assert reads[f"{NAT}/print"] == 1
    assert set(refreshed["mark-order"]) == {"observed_ids", "drift"}
    assert refreshed["nat-0"] == ("to_addresses",)
    assert refreshed["mark-0"] == refreshed["nat-order"] == ()
    order_state = next(e for u, e in driver.state.items() if u.endswith("::mark-order"))
    assert order_state.outputs["observed_ids"] == [ids["mark-1"], ids["mark-0"]]
    assert order_state.outputs["drift"] == ["rules out of order: 1 move(s) needed"]

    # the next up puts both back.
    steps = ops(driver.up(changed))
    assert steps["mark-order"] == "update"
    assert steps["nat-0"] == "update"
    assert chain_ids(sim, MANGLE, "prerouting") == [*dynamic_mangle, ids["mark-0"], ids["mark-1"]]
    assert ops(driver.up(changed)) == {name: "same" for name in steps}

    # destroy: nothing of ours is left; the router's and the admin's rules stay as they were.
    driver.destroy()
    assert driver.state == {}
    assert chain_ids(sim, MANGLE, "prerouting") == dynamic_mangle
    assert chain_ids(sim, NAT, "dstnat") == [anchor]
    assert chain_ids(sim, NAT, "srcnat") == srcnat_before
    for path in (MANGLE, NAT):
        assert not any("[lb:" in item.props.get("comment", "")
                       for item in sim.router.menus[path].items)
    assert_no_password(driver)
