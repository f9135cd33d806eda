"""Per-menu schemas, keyed by the menu key a provider is parametrised with."""

from __future__ import annotations

from providers.schemas import email, mangle, nat, netwatch, scheduler, script
from providers.schemas.base import Menu

MENUS: dict[str, Menu] = {
    "mangle": mangle.MENU,
    "nat": nat.MENU,
    "script": script.MENU,
    "scheduler": scheduler.MENU,
    "netwatch": netwatch.MENU,
    "email": email.MENU,
}


def menu(key: str) -> Menu:
    try:
        return MENUS[key]
    except KeyError:
        raise KeyError(f"unknown menu {key!r}; known: {', '.join(MENUS)}") from None
