"""What a plan is made of: plain, frozen data that both consumers of a plan read.

`plan(site, version)` (in `balancer.plan`) returns a `SitePlan`. The Pulumi components
(`components/`) turn each `PlannedObject` into a resource of `providers/` and each `PlannedOrder`
into a `ChainOrder`; `tools/render` prints the same objects as RouterOS commands. Neither consumer
adds, drops or renames anything, so what a reviewer sees in a render or a preview is what `up`
applies.

Pure data: no Pulumi, no sockets, no providers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from routeros_vocabulary.menus import MENUS

Menu = Literal["mangle", "nat", "script", "scheduler", "netwatch"]

# RouterOS menu paths of the menus a plan uses (API spelling; a render uses the same with spaces).
MENU_PATHS: Mapping[Menu, str] = {menu: MENUS[menu].path for menu in get_args(Menu)}


@dataclass(frozen=True)
class PlannedObject:
    """One router object.

    - `key`: unique within the site's plan and stable across runs (`web/slot-3`, `web/nat-pi132`);
      the components derive the Pulumi resource name from it.
    - `properties`: RouterOS property names and values as the API takes them (`dst-port`,
      `to-addresses`, `per-connection-classifier`), every value a string; without `comment`'s
      ownership tag (the provider appends `[lb:<tag>]`).
    - `tag`: the ownership tag, derived from site, service and role (never from Pulumi's project or
      stack), so `render` and `up` name every object identically. Scripts and schedulers carry one
      too besides their `name`: a create interrupted after its `add` is adopted by it on the
      re-run (the providers never take over an untagged item by name). None: no tag.
    - `runtime_owned`: RouterOS property names the router's own scripts own once the object exists
      (a primary NAT rule's `disabled`, a failover rule's `to-addresses`): never diffed, refreshed
      or written after create.
    - `depends_on`: keys of objects that must exist before this one (a netwatch entry after the
      scripts it runs).
    """

    key: str
    menu: Menu
    properties: Mapping[str, str]
    tag: str | None = None
    runtime_owned: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return MENU_PATHS[self.menu]


@dataclass(frozen=True)
class PlannedOrder:
    """The order of some of our rules in one chain: `members` (keys of `PlannedObject`s of `menu`,
    all in `chain`) in evaluation order, contiguous, placed at `position` in the chain: `top`,
    `bottom`, or `before` the first rule whose comment is `before_comment`."""

    key: str
    menu: Literal["mangle", "nat"]
    chain: str
    members: tuple[str, ...]
    position: Literal["top", "bottom", "before"] = "top"
    before_comment: str | None = None


@dataclass(frozen=True)
class BucketTable:
    """Where clients go: `slots[r]` is the server (by name) whose clients are PCC slot `r` of D;
    `groups[j]` is failover group `j`'s preference list (server names, most preferred first) of M
    groups. A client in slot r and group j goes to `slots[r]` while it is up, else to the first up
    server of `groups[j]`, else to the first up server of `fallback` (every server, by weight then
    name). With no server up, the failover rules keep their last target (see `balancer.scripts`).
    """

    slots: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...]
    fallback: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServicePlan:
    """Everything one load-balanced service puts on the router, in creation order."""

    service: str
    objects: tuple[PlannedObject, ...]
    orders: tuple[PlannedOrder, ...]
    buckets: BucketTable
    # The script that reconciles the router's rules with netwatch status; the deployment runs it
    # after any change so the router converges at once.
    sync_script: str
    # Anything else a consumer may show (frontend, servers, slot count, ...): plain JSON values.
    summary: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class SitePlan:
    site: str
    version: str
    services: tuple[ServicePlan, ...]
