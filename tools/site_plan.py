"""A stack's plan, read the way the program reads it, for tools that need no Pulumi engine.

`load_plan(stack, version)` reads `stacks/Pulumi.<stack>.yaml`, validates it with the program's
own entry point (`stackconfig.read_site`, `stackconfig.plan_site`) and plans it. Any
problem is one `StackError` whose message names the config key and what is allowed, so a tool can
print it and stop instead of showing a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from balancer.model import SitePlan
from stackconfig import SiteConfigError, SiteSpec, plan_site, read_site
from tools.stack_files import STACKS, read_stack


class StackError(Exception):
    """The stack cannot be read or planned; the message says what to fix."""


@dataclass(frozen=True)
class LoadedStack:
    stack: str
    config: dict[str, Any]
    site: SiteSpec
    plan: SitePlan


def load_plan(stack: str, version: str | None = None, directory: Path = STACKS,
              config: dict[str, Any] | None = None) -> LoadedStack:
    """The stack's validated site and its plan for RouterOS `version` (default: the version the
    stack declares, `routeros:version`). `config` replaces the stack file's config (the demo aims
    it at the simulator)."""
    try:
        is_secret = None
        if config is None:
            stack_file = read_stack(stack, directory)
            raw, is_secret = dict(stack_file.config), stack_file.secure.__contains__
            present = {*raw, *stack_file.secure}
        else:
            raw = dict(config)
            present = set(raw)
        if version is not None:
            raw["routeros:version"] = version
        site = read_site(raw.get, present, is_secret=is_secret)
        return LoadedStack(stack, raw, site, plan_site(site, stack))
    except SiteConfigError as error:
        raise StackError(str(error)) from None
