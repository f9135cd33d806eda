"""The menu table (`routeros_vocabulary.menus`) holds the schemas, the resource classes and the
component's conversion together: one list of the fields routeros-lb manages."""

from __future__ import annotations

import inspect
import re
import typing

import pytest

from components.load_balancer import RESOURCE_CLASSES
from providers import resources
from providers.chain_order import ChainOrderSpec
from providers.menu_item import META_INPUTS, META_OUTPUTS
from providers.schemas import MENUS as SCHEMAS
from routeros_vocabulary.menus import MENUS, ORDERED_PATHS

CLASSES = {"mangle": resources.MangleRule, "nat": resources.NatRule,
           "script": resources.Script, "scheduler": resources.Scheduler,
           "netwatch": resources.Netwatch, "email": resources.EmailSettings}
NOT_FIELDS = {"self", "resource_name", "opts", *META_INPUTS, *META_OUTPUTS}


def test_every_menu_has_a_schema_and_a_resource_class() -> None:
    assert set(MENUS) == set(SCHEMAS) == set(CLASSES)
    assert {menu: cls for menu, cls in CLASSES.items() if menu != "email"} == RESOURCE_CLASSES


@pytest.mark.parametrize("key", sorted(MENUS))
def test_the_resource_takes_and_outputs_exactly_the_tables_fields(key: str) -> None:
    cls = CLASSES[key]
    keywords = set(inspect.signature(cls.__init__).parameters) - NOT_FIELDS
    outputs = set(cls.__annotations__) - NOT_FIELDS  # its own, not the base classes'
    assert keywords == outputs == set(MENUS[key].keywords)


def _boundaries(key: str) -> list[tuple[int, int, int]]:
    """Every version at which the menu's schema or one of its fields changes."""
    points = {since for since, _ in SCHEMAS[key].variants}
    for field in MENUS[key].fields.values():
        points |= {v for v in (field.since, field.until) if v is not None}
    return sorted(points | {(0, 0, 0), (99, 0, 0)})


@pytest.mark.parametrize("key", sorted(MENUS))
def test_each_version_of_a_schema_manages_the_fields_the_table_gives_that_version(
        key: str) -> None:
    facts, menu = MENUS[key], SCHEMAS[key]
    assert menu.path == facts.path
    assert (menu.kind == "singleton") == facts.singleton
    for version in _boundaries(key):
        schema = menu.for_version(version)
        have = {prop.api_name: prop.name for prop in schema.props if prop.available(version)}
        want = {field.name: field.keyword for field in facts.fields.values()
                if field.available(version)}
        assert have == want, version


def test_the_ordered_menus_are_the_ones_chain_order_takes() -> None:
    path = ChainOrderSpec.model_fields["path"].annotation
    assert set(typing.get_args(path)) == set(ORDERED_PATHS)


def test_field_names_are_routeros_spelling() -> None:
    for facts in MENUS.values():
        for name, field in facts.fields.items():
            assert name == field.name
            assert re.fullmatch(r"[a-z][a-z-]*", name), name
