"""A failover NAT rule's `disabled` belongs to the router's scripts: when a down script disables
it, refresh reports nothing and the next `up` leaves it disabled (a deployment never re-enables a
dead backend). The same flag on a rule that does not declare it is ordinary drift, and `up`
restores it. Driven through the real provider host, as the engine would."""

from __future__ import annotations

from engine_standin.capture import Registration, capture
from engine_standin.driver import Driver
from providers.resources import NatRule
from simulator import Simulator
from tests.lifecycle.routers import by_hand, settings_for

NAT = "/ip/firewall/nat"
# What a netwatch down script does to the rules of a dead server.
DOWN_SCRIPT = (':foreach r in=[/ip firewall nat find where comment~"lb:web-s1"] do={ '
               '/ip firewall nat disable $r }')


def program(sim: Simulator) -> list[Registration]:
    router = settings_for(sim)

    def declare() -> None:
        NatRule("failover", router=router, chain="dstnat", action="dst-nat",
                to_addresses="10.0.0.2", disabled=False, runtime_owned=["disabled"],
                ownership_tag="web-s1:failover")
        NatRule("plain", router=router, chain="dstnat", action="dst-nat",
                to_addresses="10.0.0.2", disabled=False, ownership_tag="web-s1:plain")

    return capture(declare)


def disabled(sim: Simulator) -> dict[str, str]:
    return {item.props["comment"]: item.props.get("disabled", "false")
            for item in sim.router.menus[NAT].items}


def test_a_script_disabled_rule_stays_disabled_through_refresh_and_up(
        router: Simulator, driver: Driver) -> None:
    driver.up(program(router))
    with by_hand(router) as api:  # the server goes down; its down script runs
        script = api.path("/system/script").add(name="web-s1-down", source=DOWN_SCRIPT)
        tuple(api("/system/script/run", **{".id": script}))
    assert disabled(router) == {"[lb:web-s1:failover]": "true", "[lb:web-s1:plain]": "true"}

    refreshed = {step.urn.rsplit("::", 1)[1]: step.changed for step in driver.refresh()}
    assert refreshed == {"failover": (), "plain": ("disabled",)}

    steps = {step.urn.rsplit("::", 1)[1]: step.op for step in driver.up(program(router))}
    assert steps == {"failover": "same", "plain": "update"}
    assert disabled(router) == {"[lb:web-s1:failover]": "true", "[lb:web-s1:plain]": "false"}

    # and a change elsewhere on the failover rule still leaves the flag to the script
    with by_hand(router) as api:
        tuple(api("/system/script/run", **{".id": script}))
    regs = program(router)
    regs[0].inputs["to_ports"] = "8080"
    regs[0].inputs["protocol"] = "tcp"
    steps = {step.urn.rsplit("::", 1)[1]: step.op for step in driver.up(regs)}
    assert steps["failover"] == "update"
    assert disabled(router)["[lb:web-s1:failover]"] == "true"
