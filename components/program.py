"""The Pulumi program's body: read the stack's site config and declare the site.

`__main__.py` calls `declare_site()`; tests and the demo run the same function under Pulumi's mocks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from components.router_site import RouterSite
from components.site import STRUCTURED_KEYS, SiteConfigError, read_site


def config_value(key: str) -> Any:
    """A stack config value by its full key (`routeros:port`): the text the user wrote, parsed
    only for the keys whose value is a mapping or a list (`routeros-lb:email`), which the engine
    hands over as JSON. A scalar stays a string (`1.10`, `null`); the spec converts it."""
    namespace, name = key.split(":", 1)
    raw = pulumi.Config(namespace).get(name)
    if raw is None or key not in STRUCTURED_KEYS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        raise SiteConfigError([(key, "must be a mapping of settings (YAML under the key)")]) \
            from None


def _is_file(path: str) -> bool:
    # Relative to the project directory, where Pulumi runs the program and the providers.
    return Path(path).is_file()


def configured_keys() -> set[str]:
    """Every key the stack sets, as the engine hands config to the program."""
    return set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())


def declare_site() -> RouterSite:
    site = read_site(config_value, configured_keys(), is_file=_is_file)
    smtp_password = pulumi.Config("routeros-lb").get_secret("smtpPassword")
    declared = RouterSite(pulumi.get_stack(), site, smtp_password=smtp_password)
    pulumi.export("router", declared.router.label)
    pulumi.export("routerosVersion", declared.email.router_version if declared.email else None)
    return declared
