"""How a planned object becomes the keyword arguments of a provider resource.

The plan speaks RouterOS (`dst-port`, `to-addresses`, `[lb:<tag>]` in the comment); the resources
take Python spelling (`dst_port`, `to_addresses`, `ownership_tag`). The menu's schema is the one
dictionary between the two, so a property the schema does not know is an error here, when the
program runs, naming the object and the property — never a silent drop.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from functools import cache
from typing import Any

from balancer.model import Menu, PlannedObject
from providers.resources import MangleRule, NatRule, Netwatch, Scheduler, Script
from providers.schemas import menu as menu_schema

RESOURCE_CLASSES: Mapping[Menu, type] = {
    "mangle": MangleRule,
    "nat": NatRule,
    "script": Script,
    "scheduler": Scheduler,
    "netwatch": Netwatch,
}


class PlanMappingError(ValueError):
    """A planned object the providers cannot express; the message names the object and property."""


@cache
def _python_names(menu: Menu) -> dict[str, str]:
    """RouterOS property name → the resource's keyword, for every version of the menu."""
    return {prop.api_name: name for name, prop in menu_schema(menu).all_props().items()}


@cache
def _keywords(menu: Menu) -> frozenset[str]:
    return frozenset(inspect.signature(RESOURCE_CLASSES[menu]).parameters)


def python_name(obj: PlannedObject, api_name: str) -> str:
    name = _python_names(obj.menu).get(api_name)
    if name is None or name not in _keywords(obj.menu):
        cls = RESOURCE_CLASSES[obj.menu].__name__
        raise PlanMappingError(
            f"planned object {obj.key!r} ({obj.path}) sets {api_name!r}, which {cls} does not "
            "take")
    return name


def resource_arguments(obj: PlannedObject) -> dict[str, Any]:
    """The keyword arguments (besides router and opts) of `obj`'s resource."""
    kwargs: dict[str, Any] = {python_name(obj, key): value
                              for key, value in obj.properties.items()}
    if obj.tag is not None:
        kwargs["ownership_tag"] = obj.tag
    if obj.runtime_owned:
        kwargs["runtime_owned"] = sorted(python_name(obj, key) for key in obj.runtime_owned)
    return kwargs
