"""Interface lists: `/interface/list` and `/interface/list/member`.

The default configuration puts ether1 in `WAN` and the LAN bridge in `LAN`, and its firewall and
masquerade match those lists (`in-interface-list`, `out-interface-list`); the data plane reads the
members from here. `all` and `none` are RouterOS's built-in lists: the names are taken and the
matchers know them, but the simulator does not print them as RouterOS does (a dynamic `builtin`
entry each). Members name any interface: the simulator has no `/interface` menu to check them
against (our choice).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.api import CommandError
from simulator.menus.engine import Item, ListMenu
from simulator.profiles import Profile
from simulator.schema import Bool, Name, Prop, Schema, Text

if TYPE_CHECKING:
    from simulator.router import Router

LISTS = "/interface/list"
MEMBERS = "/interface/list/member"
BUILTIN_LISTS = ("all", "none")


class InterfaceListMenu(ListMenu):
    def __init__(self, profile: Profile) -> None:
        super().__init__(LISTS, Schema(profile, [
            Prop("name", Name(), required=True),
            Prop("include", Text()),
            Prop("exclude", Text()),
            Prop("builtin", Bool(), read_only=True, default="false"),
            Prop("dynamic", Bool(), read_only=True, default="false"),
            Prop("comment", Text()),
        ]))

    def check(self, router: Router, props: dict[str, str], item: Item | None) -> None:
        super().check(router, props, item)
        name = props.get("name")
        if name in BUILTIN_LISTS or any(other is not item and other.props.get("name") == name
                                        for other in self.items):
            raise CommandError("failure: entry already exists")


class InterfaceListMemberMenu(ListMenu):
    def __init__(self, profile: Profile) -> None:
        super().__init__(MEMBERS, Schema(profile, [
            Prop("list", Name(), required=True),
            Prop("interface", Name(), required=True),
            Prop("dynamic", Bool(), read_only=True, default="false"),
            Prop("disabled", Bool(), default="false"),
            Prop("comment", Text()),
        ]))

    def check(self, router: Router, props: dict[str, str], item: Item | None) -> None:
        super().check(router, props, item)
        known = {i.props.get("name") for i in router.list_menu(LISTS).items}
        if props.get("list") not in known - set(BUILTIN_LISTS):
            raise CommandError("input does not match any value of list")
        key = (props.get("list"), props.get("interface"))
        if any(other is not item and (other.props.get("list"), other.props.get("interface")) == key
               for other in self.items):
            raise CommandError("failure: already have such entry")


def in_list(router: Router, name: str, interface: str) -> bool:
    """Whether `interface` is in the list `name` (enabled members; `all` holds every one)."""
    if name == "all":
        return True
    menu = router.menus.get(MEMBERS)
    if menu is None or not isinstance(menu, ListMenu):
        return False
    return any(item.props.get("list") == name and item.props.get("interface") == interface
               and item.props.get("disabled") != "true" for item in menu.items)


def menus(profile: Profile) -> list[ListMenu]:
    return [InterfaceListMenu(profile), InterfaceListMemberMenu(profile)]
