"""Every provider, pickled by Pulumi's `serialize_provider` as a program registers it, loaded by a
fresh provider host and used against the simulator; and four calls at once on one provider."""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor

from pulumi.dynamic.dynamic import serialize_provider

from engine_standin.capture import capture
from engine_standin.driver import Driver
from engine_standin.host import ProviderHost
from providers.chain_order import ChainOrder
from providers.menu_item import MenuItemProvider
from providers.resources import EmailSettings, MangleRule, NatRule, Netwatch, Scheduler, Script
from simulator import Simulator
from tests.lifecycle.routers import PASSWORD, chain_ids, settings_for

MANGLE = "/ip/firewall/mangle"


def test_every_resource_is_created_through_a_fresh_host(router: Simulator, driver: Driver) -> None:
    settings = settings_for(router)

    def declare() -> None:
        mark = MangleRule("mark", router=settings, chain="prerouting", action="accept",
                          ownership_tag="every:mark")
        MangleRule("other", router=settings, chain="prerouting", action="accept",
                   ownership_tag="every:other")
        NatRule("nat", router=settings, chain="dstnat", action="dst-nat",
                to_addresses="10.0.0.2", ownership_tag="every:nat")
        Script("script", router=settings, name="every-script", source=":log info hello")
        Scheduler("scheduler", router=settings, name="every-scheduler",
                  on_event="every-script", interval="1m")
        Netwatch("netwatch", router=settings, host="10.0.0.2", ownership_tag="every:netwatch")
        EmailSettings("email", router=settings, server="10.0.0.1", port="25")
        ChainOrder("order", router=settings, path=MANGLE, chain="prerouting",
                   rule_ids=[mark.id], position="bottom")

    registrations = capture(declare)
    types = {reg.type.rsplit(":", 1)[1] for reg in registrations}
    assert types == {"MangleRule", "NatRule", "Script", "Scheduler", "Netwatch",
                     "EmailSettings", "ChainOrder"}
    for reg in registrations:
        blob = base64.b64decode(reg.inputs["__provider"])
        assert b"providers." in blob
        assert len(blob) < 300  # pickled by reference, not by value
        assert PASSWORD.encode() not in blob

    steps = driver.up(registrations)
    assert [step.op for step in steps] == ["create"] * len(registrations)
    ids = {urn.rsplit("::", 1)[1]: entry.id for urn, entry in driver.state.items()}
    assert chain_ids(router, MANGLE, "prerouting") == [ids["other"], ids["mark"]]
    printed = {path: [item.printed_id for item in router.router.menus[path].items]
               for path in ("/ip/firewall/nat", "/system/script", "/system/scheduler",
                            "/tool/netwatch")}
    assert ids["nat"] in printed["/ip/firewall/nat"]
    assert ids["script"] in printed["/system/script"]
    assert ids["scheduler"] in printed["/system/scheduler"]
    assert ids["netwatch"] in printed["/tool/netwatch"]
    assert PASSWORD not in repr(driver.state)

    driver.destroy()
    assert chain_ids(router, MANGLE, "prerouting") == []


def test_four_concurrent_calls_on_one_provider(host: ProviderHost, router: Simulator) -> None:
    """The host runs four workers against one cached provider instance and one connection."""
    provider = serialize_provider(MenuItemProvider("mangle"))
    settings = settings_for(router).as_inputs()

    def create_and_read(n: int) -> tuple[str, str, dict]:
        urn = f"urn:pulumi:dev::routeros-lb::pulumi-python:dynamic/routeros:MangleRule::r{n}"
        news = {"__provider": provider, "router": settings, "chain": "prerouting",
                "action": "mark-connection", "new_connection_mark": f"mark-{n}",
                "ownership_tag": f"concurrent:{n}"}
        checked = host.check(urn, {}, news)
        assert checked.failures == []
        id_, outputs = host.create(urn, checked.inputs)
        read_id, read_outputs, _ = host.read(urn, id_, outputs, checked.inputs)
        assert read_id == id_
        return str(n), id_, read_outputs

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(create_and_read, range(16)))

    assert len({id_ for _, id_, _ in results}) == 16
    on_router = {item.printed_id: item.props for item in router.router.menus[MANGLE].items}
    for n, id_, outputs in results:
        assert outputs["new_connection_mark"] == f"mark-{n}"
        assert on_router[id_]["new-connection-mark"] == f"mark-{n}"
        assert on_router[id_]["comment"] == f"[lb:concurrent:{n}]"
    assert router.stats[f"{MANGLE}/add"] == 16
    # One pool for the whole provider: a connection per host worker at most.
    assert 1 <= router.stats["/login"] <= 4
