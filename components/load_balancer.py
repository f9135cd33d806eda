"""`PccLoadBalancer`: one service's plan as Pulumi resources.

It adds nothing to the plan and drops nothing from it (what `render` prints is what `up` applies):
one resource per `PlannedObject` (the plan's tag as ownership tag, its runtime-owned properties
as `runtime_owned`, its `depends_on` as resource dependencies), one `ChainOrder` per
`PlannedOrder`, and one `ScriptRun` of the sync script that runs after everything else whenever
the plan or the objects' ids change — so the router converges at once after a change (and after
an object was re-created), and a no-op `up` sends nothing.

Outputs: `buckets` (slot → server, failover group → preference list) and `ids` (plan key →
RouterOS `.id`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from balancer.model import MENU_PATHS, PlannedObject, ServicePlan
from components.resource_mapping import RESOURCE_CLASSES, PlanMappingError, resource_arguments
from providers.chain_order import ChainOrder
from providers.connection import RouterSettings
from providers.script_run import ScriptRun

TYPE = "routeros-lb:index:PccLoadBalancer"


def plan_digest(plan: ServicePlan) -> str:
    """A fingerprint of everything the plan puts on the router (not its summary)."""
    def plain(item: Any) -> dict[str, Any]:
        return {field.name: _jsonable(getattr(item, field.name))
                for field in dataclasses.fields(item)}

    content = {
        "objects": [plain(obj) for obj in plan.objects],
        "orders": [plain(order) for order in plan.orders],
        "sync_script": plan.sync_script,
    }
    text = json.dumps(content, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return [_jsonable(v) for v in value]


def bucket_outputs(plan: ServicePlan) -> dict[str, Any]:
    """The bucket table as plain JSON: `slots` {slot: server}, `groups` {group: [servers]}."""
    return {
        "slots": {str(slot): server for slot, server in enumerate(plan.buckets.slots)},
        "groups": {str(group): list(servers)
                   for group, servers in enumerate(plan.buckets.groups)},
    }


def sync_script_name(plan: ServicePlan) -> str:
    """The name of the planned script that `plan.sync_script` designates (its name or its
    source text)."""
    for obj in plan.objects:
        if obj.menu == "script" and plan.sync_script in (obj.properties.get("name"),
                                                          obj.properties.get("source")):
            return obj.properties["name"]
    names = sorted(str(obj.properties.get("name")) for obj in plan.objects if obj.menu == "script")
    raise PlanMappingError(
        f"service {plan.service!r}: the sync script is not among the planned scripts "
        f"({', '.join(names) or 'none'})")


class PccLoadBalancer(pulumi.ComponentResource):
    """One load-balanced service on one router, exactly as its plan says."""

    resources: dict[str, pulumi.CustomResource]
    orders: dict[str, ChainOrder]
    sync: ScriptRun

    def __init__(
        self,
        name: str,
        plan: ServicePlan,
        router: RouterSettings,
        run_after: Sequence[pulumi.Resource] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`run_after`: resources outside the plan the sync script needs (the e-mail settings)."""
        super().__init__(TYPE, name, None, opts)
        self.plan = plan
        script = sync_script_name(plan)
        # The rules of an order do not wait for one another: the engine creates them in
        # parallel (the client has a connection per provider worker), they land in the chain in
        # any order, and their ChainOrder puts them in place with one `move` of the whole list.
        self.resources = {}
        for obj in plan.objects:
            self.resources[obj.key] = self._declare(obj, router)
        self.orders = {}
        for order in plan.orders:
            members = [self._resource(order.key, key) for key in order.members]
            self.orders[order.key] = ChainOrder(
                order.key,
                router=router,
                path=MENU_PATHS[order.menu],
                chain=order.chain,
                rule_ids=[member.id for member in members],
                position=order.position,
                before_comment=order.before_comment,
                opts=pulumi.ResourceOptions(parent=self, depends_on=members),
            )
        everything = [*self.resources.values(), *self.orders.values(), *run_after]
        ids = [resource.id for resource in self.resources.values()]
        # The ids are part of the trigger: an object re-created (deleted by hand, then restored by
        # `up`) starts from its planned runtime state, which the sync script must correct at once
        # (a recreated primary of a dead server would be enabled until the next resync). Cost:
        # after a reboot and a refresh (new ids) the next `up` runs the script once, harmlessly.
        trigger = pulumi.Output.all(*ids).apply(
            lambda known: " ".join([plan_digest(plan), *map(str, known)]))
        self.sync = ScriptRun(
            f"{plan.service}/run-sync",
            router=router,
            script=script,
            trigger=trigger,
            opts=pulumi.ResourceOptions(parent=self, depends_on=everything),
        )
        self.buckets = bucket_outputs(plan)
        self.ids = pulumi.Output.all(
            **{key: resource.id for key, resource in self.resources.items()})
        self.register_outputs({"buckets": self.buckets, "ids": self.ids})

    def _resource(self, referrer: str, key: str) -> pulumi.CustomResource:
        try:
            return self.resources[key]
        except KeyError:
            raise PlanMappingError(
                f"{referrer!r} refers to {key!r}, which the plan of service "
                f"{self.plan.service!r} does not declare before it") from None

    def _declare(self, obj: PlannedObject, router: RouterSettings) -> pulumi.CustomResource:
        depends = [self._resource(obj.key, key) for key in obj.depends_on]
        cls = RESOURCE_CLASSES[obj.menu]
        return cls(
            obj.key,
            router=router,
            **resource_arguments(obj),
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends),
        )
