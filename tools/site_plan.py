"""A stack's plan, read the way the program reads it, for tools that need no Pulumi engine.

`load_plan(stack, version)` reads `stacks/Pulumi.<stack>.yaml`, validates it with the program's
own site model (`components/site.py`, `balancer/spec.py`) and plans it (`balancer.plan`). Any
problem is one `StackError` whose message names the config key and what is allowed, so a tool can
print it and stop instead of showing a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from balancer.model import SitePlan
from balancer.spec import ServiceConfigError
from components.site import SiteConfigError, SiteSpec, plan_site, read_site
from tools.stack_files import STACKS, StackFileError, stack_config


class StackError(Exception):
    """The stack cannot be read or planned; the message says what to fix."""


@dataclass(frozen=True)
class LoadedStack:
    stack: str
    config: dict[str, Any]
    site: SiteSpec
    plan: SitePlan


def as_program_sees_it(value: Any) -> Any:
    """A stack file's value as the program reads it: scalars as the strings written (YAML's
    `true` as `true`), maps and lists as structures."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list) or value is None:
        return value
    return str(value)


def load_plan(stack: str, version: str | None = None, directory: Path = STACKS,
              config: dict[str, Any] | None = None) -> LoadedStack:
    """The stack's validated site and its plan for RouterOS `version` (default: the version the
    stack declares, `routeros:version`). `config` replaces the stack file's config (the demo aims
    it at the simulator)."""
    try:
        raw = stack_config(stack, directory) if config is None else dict(config)
        if version is not None:
            raw["routeros:version"] = version
        values = {key: as_program_sees_it(value) for key, value in raw.items()}
        site = read_site(values.get, values.keys())
        return LoadedStack(stack, raw, site, plan_site(site, stack))
    except (StackFileError, SiteConfigError, ServiceConfigError) as error:
        raise StackError(str(error)) from None
