"""The router's menus, one module per family; `build_menus(profile)` makes a fresh set."""

from __future__ import annotations

from simulator.menus import email, firewall, interfaces, netwatch, system
from simulator.menus.engine import Menu
from simulator.profiles import Profile


def build_menus(profile: Profile) -> list[Menu]:
    return [
        *firewall.menus(profile),
        *interfaces.menus(profile),
        *system.menus(profile),
        *netwatch.menus(profile),
        *email.menus(profile),
    ]
