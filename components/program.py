"""The Pulumi program's body: read the stack's site config and declare the site.

`__main__.py` calls `declare_site()`; tests and the demo run the same function under Pulumi's mocks.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi

from components.router_site import RouterSite
from components.site import read_site


def config_value(key: str) -> Any:
    """A stack config value by its full key (`routeros:port`), parsed when it is JSON."""
    namespace, name = key.split(":", 1)
    raw = pulumi.Config(namespace).get(name)
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def declare_site() -> RouterSite:
    site = read_site(config_value)
    declared = RouterSite(pulumi.get_stack(), site)
    pulumi.export("router", declared.router.label)
    pulumi.export("routerosVersion", declared.email.router_version if declared.email else None)
    return declared
