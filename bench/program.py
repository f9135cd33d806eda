"""The Pulumi program the benchmark deploys: one site's plan, as resources of the providers.

With the `PccLoadBalancer` component available (components/), the program is what `__main__.py`
declares for a service. Without it, `direct_program` declares the same planned objects with the
providers' resource classes and one `ChainOrder` per planned order; the figures say which.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import pulumi

from balancer.model import PlannedObject, SitePlan
from providers.chain_order import ChainOrder
from providers.resources import MangleRule, NatRule, Netwatch, Scheduler, Script
from providers.schemas import menu as menu_schema

RESOURCES: dict[str, type] = {"mangle": MangleRule, "nat": NatRule, "script": Script,
                              "scheduler": Scheduler, "netwatch": Netwatch}


@cache
def _keywords(menu: str) -> dict[str, str]:
    return {prop.api_name: name for name, prop in menu_schema(menu).all_props().items()}


def arguments(obj: PlannedObject) -> dict[str, Any]:
    names = _keywords(obj.menu)
    kwargs: dict[str, Any] = {names[key]: value for key, value in obj.properties.items()}
    if obj.tag is not None:
        kwargs["ownership_tag"] = obj.tag
    if obj.runtime_owned:
        kwargs["runtime_owned"] = sorted(names[key] for key in obj.runtime_owned)
    return kwargs


def resource_name(key: str) -> str:
    return key.replace("/", "-")


def direct_program(site: SitePlan, router: dict[str, Any]) -> Callable[[], None]:
    """A program declaring `site`'s objects and orders straight with the providers."""

    def program() -> None:
        for service in site.services:
            made: dict[str, pulumi.CustomResource] = {}
            for obj in service.objects:
                depends = [made[key] for key in obj.depends_on if key in made]
                made[obj.key] = RESOURCES[obj.menu](
                    resource_name(obj.key), router=router, **arguments(obj),
                    opts=pulumi.ResourceOptions(depends_on=depends))
            for order in service.orders:
                ChainOrder(resource_name(order.key), router=router,
                           path=f"/ip/firewall/{order.menu}", chain=order.chain,
                           rule_ids=[made[key].id for key in order.members],
                           position=order.position, before_comment=order.before_comment)

    return program


def component_program(site: SitePlan, router: dict[str, Any]) -> Callable[[], None]:
    """What `__main__.py` declares per service: one `PccLoadBalancer` of its plan."""
    from components.load_balancer import PccLoadBalancer
    from providers.connection import RouterSettings

    settings = RouterSettings.from_inputs(router)

    def program() -> None:
        for service in site.services:
            PccLoadBalancer(service.service, service, settings)

    return program



def chain_planned_orders(program: Callable[[], None], site: SitePlan) -> Callable[[], None]:
    """`program` with each rule of a planned order depending on the one before it.

    The engine creates independent rules in parallel, so they land in the chain in whatever
    order their calls arrive and `ChainOrder` then puts them in place with one `move`. Chained,
    they are created in order and need no move, but one after another: the experiment
    (`python -m bench.chained`) weighs the moves saved against the parallel creates lost.
    """
    previous = {key: before for service in site.services for order in service.orders
                for before, key in zip(order.members, order.members[1:], strict=False)}
    made: dict[str, pulumi.Resource] = {}

    def transform(args: pulumi.ResourceTransformationArgs
                  ) -> pulumi.ResourceTransformationResult | None:
        made[args.name] = args.resource
        before = made.get(previous.get(args.name, ""))
        if before is None:
            return None
        opts = pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(depends_on=[before]))
        return pulumi.ResourceTransformationResult(args.props, opts)

    def chained() -> None:
        pulumi.runtime.register_stack_transformation(transform)
        program()

    return chained
