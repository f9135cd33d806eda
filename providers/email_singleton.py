"""The e-mail settings, a singleton: one item, no `.id`, never added or removed.

Create takes the settings over and records what it found (`previous`); delete writes those back,
so a destroyed stack leaves the router's mail as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from providers.connection import RouterClient

SINGLETON_ID = "singleton"

# Read-only fields of the e-mail singleton, never written back when restoring.
_READ_ONLY = frozenset({"last-status", "last-address", ".id"})


def current_settings(client: RouterClient, path: str) -> dict[str, str]:
    rows = client.snapshot(path)
    return rows[0] if rows else {}


def writable(found: Mapping[str, Any]) -> dict[str, Any]:
    """The settings as they can be written back (read-only fields dropped)."""
    return {k: v for k, v in found.items() if k not in _READ_ONLY}


def restore(client: RouterClient, path: str, previous: Mapping[str, Any] | None) -> None:
    """Write back the settings found at create (nothing when none were recorded)."""
    if previous:
        client.set(path, None, **writable(previous))
