"""Which properties of a menu item differ between two sets of values, as the router sees them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from providers.schemas.base import MenuSchema, is_unknown


def changed(schema: MenuSchema, old: Mapping[str, Any], new: Mapping[str, Any],
             skip: frozenset[str] | set[str]) -> list[str]:
    """Properties whose effective value differs (absent means the router's default)."""
    out = []
    for name, prop in schema.by_name.items():
        if name in skip:
            continue
        before, after = old.get(name), new.get(name)
        if after is not None and is_unknown(after):
            out.append(name)
            continue
        if prop.kept_unless_declared and after is None:
            continue
        if effective(prop, before) != effective(prop, after):
            out.append(name)
    return out


def effective(prop: Any, value: Any) -> Any:
    if value is None:
        return prop.default
    try:
        return prop.normalise(value)
    except ValueError:
        return value
