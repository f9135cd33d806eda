"""The Pulumi program's body: read the stack's site config and declare the site.

`__main__.py` calls `declare_site()`; tests and the demo run the same function under Pulumi's mocks.
"""

from __future__ import annotations

from pathlib import Path

import pulumi
from pulumi.runtime import config as runtime_config

from components.router_site import RouterSite
from stackconfig import SMTP_PASSWORD_KEY, read_site


def config_value(key: str) -> str | None:
    """A stack config value by its full key (`routeros:port`), as the engine hands it over: the
    text the user wrote for a scalar (`1.10`, `null` stay text), JSON for a mapping or a list.
    Only the config package knows which keys hold structures, and decodes those."""
    namespace, name = key.split(":", 1)
    return pulumi.Config(namespace).get(name)


def _is_file(path: str) -> bool:
    # Relative to the project directory, where Pulumi runs the program and the providers.
    return Path(path).is_file()


def configured_keys() -> set[str]:
    """Every key the stack sets, as the engine hands config to the program."""
    return set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())


def declare_site() -> RouterSite:
    # A password kept in clear in the stack file is refused: Pulumi tells the program which
    # values were stored as secrets.
    site = read_site(config_value, configured_keys(), is_file=_is_file,
                     is_secret=runtime_config.is_config_secret)
    smtp_password = pulumi.Config("routeros-lb").get_secret(SMTP_PASSWORD_KEY.split(":", 1)[1])
    declared = RouterSite(pulumi.get_stack(), site, smtp_password=smtp_password)
    pulumi.export("router", declared.router.label)
    pulumi.export("routerosVersion", declared.email.router_version if declared.email else None)
    pulumi.export("services", declared.services)
    return declared
