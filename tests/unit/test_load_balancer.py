"""PccLoadBalancer under Pulumi's mocks: a plan becomes exactly its resources, spelt as the
providers take them, with one ChainOrder per planned order and a sync run after everything."""

from __future__ import annotations

import pytest

from balancer.model import BucketTable, PlannedObject, PlannedOrder, ServicePlan
from components.load_balancer import PccLoadBalancer, PlanMappingError, plan_digest
from engine_standin.capture import Registration, capture
from providers.connection import RouterSettings

ROUTER = RouterSettings(host="192.0.2.1", port=8728)
TYPE = "pulumi-python:dynamic/routeros:"


def tiny_plan(**changes: object) -> ServicePlan:
    objects = (
        PlannedObject("web/sync", "script", {"name": "lb-web-sync", "source": ":log info x",
                                             "policy": "read,write,test"}),
        PlannedObject("web/watch-a", "netwatch", {"host": "10.0.0.2", "interval": "10s"},
                      tag="site:web:watch-a", depends_on=("web/sync",)),
        PlannedObject("web/slot-0", "mangle",
                      {"chain": "lb-web", "action": "mark-connection",
                       "new-connection-mark": "web-a", "passthrough": "yes",
                       "per-connection-classifier": "src-address:2/0"}, tag="site:web:slot-0"),
        PlannedObject("web/jump", "mangle",
                      {"chain": "prerouting", "action": "jump", "jump-target": "lb-web",
                       "dst-address": "203.0.113.2", "connection-state": "new"},
                      tag="site:web:jump"),
        PlannedObject("web/nat-a", "nat",
                      {"chain": "lb-web-nat", "action": "dst-nat", "connection-mark": "web-a",
                       "to-addresses": "10.0.0.2"}, tag="site:web:nat-a",
                      runtime_owned=("disabled",)),
        PlannedObject("web/fail-0", "nat",
                      {"chain": "lb-web-nat", "action": "dst-nat", "packet-mark": "web-f0",
                       "to-addresses": "10.0.0.2"}, tag="site:web:fail-0",
                      runtime_owned=("to-addresses", "disabled")),
    )
    fields = {
        "service": "web",
        "objects": objects,
        "orders": (PlannedOrder("web/order-nat", "nat", "lb-web-nat",
                                ("web/nat-a", "web/fail-0"), position="top"),
                   PlannedOrder("web/order-jump", "mangle", "prerouting", ("web/jump",),
                                position="before", before_comment="admin: catch-all")),
        "buckets": BucketTable(slots=("a", "a"), groups=(("a",),)),
        "sync_script": "lb-web-sync",
    }
    fields.update(changes)
    return ServicePlan(**fields)  # type: ignore[arg-type]


def declare(plan: ServicePlan) -> list[Registration]:
    return capture(lambda: PccLoadBalancer("web", plan, ROUTER))


def by_name(registrations: list[Registration]) -> dict[str, Registration]:
    return {reg.name: reg for reg in registrations}


def test_each_planned_object_becomes_its_resource_in_provider_spelling() -> None:
    regs = by_name(declare(tiny_plan()))
    assert regs["web/sync"].type == TYPE + "Script"
    assert regs["web/watch-a"].type == TYPE + "Netwatch"
    assert regs["web/slot-0"].type == TYPE + "MangleRule"
    assert regs["web/nat-a"].type == TYPE + "NatRule"
    slot = regs["web/slot-0"].inputs
    assert slot["new_connection_mark"] == "web-a"
    assert slot["per_connection_classifier"] == "src-address:2/0"
    assert slot["ownership_tag"] == "site:web:slot-0"
    assert slot["router"]["host"] == "192.0.2.1"
    assert regs["web/sync"].inputs.get("ownership_tag") is None  # scripts go by name
    assert regs["web/fail-0"].inputs["packet_mark"] == "web-f0"
    assert regs["web/fail-0"].inputs["runtime_owned"] == ["disabled", "to_addresses"]
    assert regs["web/nat-a"].inputs["runtime_owned"] == ["disabled"]
    assert "routeros-lb:index:PccLoadBalancer$" in regs["web/slot-0"].urn


def test_one_chain_order_per_planned_order_with_the_rules_ids() -> None:
    regs = by_name(declare(tiny_plan()))
    nat_order = regs["web/order-nat"]
    assert nat_order.type == TYPE + "ChainOrder"
    assert nat_order.inputs["path"] == "/ip/firewall/nat"
    assert nat_order.inputs["chain"] == "lb-web-nat"
    assert nat_order.inputs["position"] == "top"
    assert nat_order.inputs["rule_ids"] == [f"<id:{regs['web/nat-a'].urn}>",
                                            f"<id:{regs['web/fail-0'].urn}>"]
    jump_order = regs["web/order-jump"]
    assert jump_order.inputs["position"] == "before"
    assert jump_order.inputs["before_comment"] == "admin: catch-all"


def test_the_sync_run_comes_last_and_its_trigger_follows_the_plan_and_the_ids() -> None:
    registrations = declare(tiny_plan())
    run = registrations[-1]
    assert run.type == TYPE + "ScriptRun"
    assert run.inputs["script"] == "lb-web-sync"
    digest, *ids = run.inputs["trigger"].split(" ")
    assert digest == plan_digest(tiny_plan())
    assert ids == [f"<id:{reg.urn}>" for reg in registrations
                   if reg.type != TYPE + "ChainOrder" and reg is not run]
    # Order: the plan's objects in plan order, then the orders, then the run.
    assert [reg.name for reg in registrations] == [
        "web/sync", "web/watch-a", "web/slot-0", "web/jump", "web/nat-a", "web/fail-0",
        "web/order-nat", "web/order-jump", "web/run-sync"]


def test_the_digest_changes_with_what_goes_on_the_router_only() -> None:
    base = tiny_plan()
    assert plan_digest(base) == plan_digest(tiny_plan())
    assert plan_digest(base) == plan_digest(tiny_plan(summary={"anything": 1}))
    other_buckets = tiny_plan(buckets=BucketTable(slots=("a", "b"), groups=(("a",),)))
    assert plan_digest(base) == plan_digest(other_buckets)  # the bucket table is in the rules
    moved = tiny_plan(orders=base.orders[:1])
    assert plan_digest(base) != plan_digest(moved)
    retargeted = tiny_plan(objects=(*base.objects[:-1], PlannedObject(
        "web/fail-0", "nat", {"chain": "lb-web-nat", "action": "dst-nat",
                              "packet-mark": "web-f0", "to-addresses": "10.0.0.3"},
        tag="site:web:fail-0", runtime_owned=("to-addresses", "disabled"))))
    assert plan_digest(base) != plan_digest(retargeted)


def test_outputs_name_the_buckets() -> None:
    made: list[PccLoadBalancer] = []
    capture(lambda: made.append(PccLoadBalancer("web", tiny_plan(), ROUTER)))
    assert made[0].buckets == {"slots": {"0": "a", "1": "a"}, "groups": {"0": ["a"]}}


@pytest.mark.parametrize(("plan", "message"), [
    (tiny_plan(objects=(PlannedObject("web/sync", "script", {"name": "lb-web-sync",
                                                             "colour": "red"}),)),
     r"'web/sync' \(/system/script\) sets 'colour'"),
    (tiny_plan(objects=(PlannedObject("web/sync", "script", {"name": "lb-web-sync"}),
                        PlannedObject("web/nat", "nat",
                                      {"chain": "x", "new-connection-mark": "m"}, tag="t"),),
               orders=()),
     r"'web/nat' \(/ip/firewall/nat\) sets 'new-connection-mark'"),
    (tiny_plan(sync_script="lb-other"), "the sync script is not among the planned scripts "
                                         r"\(lb-web-sync\)"),
    (tiny_plan(objects=(PlannedObject("web/sync", "script", {"name": "lb-web-sync"},
                                      depends_on=("web/later",)),)),
     "'web/sync' refers to 'web/later'"),
])
def test_a_plan_the_providers_cannot_express_is_refused_by_name(plan: ServicePlan,
                                                                message: str) -> None:
    with pytest.raises(PlanMappingError, match=message):
        declare(plan)


def test_ordered_rules_do_not_wait_for_one_another_so_creates_run_in_parallel() -> None:
    """The client has a connection per provider worker; ChainOrder puts the rules in place."""
    regs = by_name(declare(tiny_plan()))
    assert regs["web/nat-a"].urn not in regs["web/fail-0"].dependencies
    assert not any(reg.urn in regs["web/nat-a"].dependencies
                   for name, reg in regs.items() if name.startswith("web/"))
    assert regs["web/jump"].dependencies == ()
