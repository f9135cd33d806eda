"""Put a plan's objects on a router over librouteros, as a deployment would: in the plan's order,
with the ownership tag composed into each comment. Each chain's rules are added in the plan's
order into an empty router, so the chains end up in the order the plan's `PlannedOrder`s say
(checked by `assert_orders`)."""

from __future__ import annotations

from collections.abc import Iterable

import librouteros

from balancer.model import PlannedObject, ServicePlan, SitePlan
from routeros_vocabulary.tags import compose_comment


def menu(api: librouteros.Api, obj: PlannedObject):  # noqa: ANN201 - librouteros' Path
    return api.path(*obj.path.strip("/").split("/"))


def stored_properties(obj: PlannedObject) -> dict[str, str]:
    props = dict(obj.properties)
    if obj.tag:
        props["comment"] = compose_comment(props.get("comment"), obj.tag) or ""
    return props


def load_plan(api: librouteros.Api, site_plan: SitePlan) -> dict[str, str]:
    """Add every object; return plan key → RouterOS `.id`."""
    ids: dict[str, str] = {}
    for service in site_plan.services:
        for obj in service.objects:
            ids[obj.key] = menu(api, obj).add(**stored_properties(obj))
    return ids


def assert_orders(api: librouteros.Api, service: ServicePlan, ids: dict[str, str]) -> None:
    for order in service.orders:
        path = "/ip/firewall/mangle" if order.menu == "mangle" else "/ip/firewall/nat"
        in_chain = [rule[".id"] for rule in api.path(*path.strip("/").split("/"))
                    if rule["chain"] == order.chain]
        wanted = [ids[key] for key in order.members]
        assert [rule_id for rule_id in in_chain if rule_id in wanted] == wanted


def by_comment(rows: Iterable[dict]) -> dict[str, dict]:
    return {row.get("comment", ""): row for row in rows}
