"""A typical RouterOS default configuration, to test that our rules coexist with a router's own.

`seed_config` adds what `/system reset-configuration` leaves (the defconf firewall and
masquerade); `seed_dynamic` adds the dynamic rules the running system shows at the top of the
filter, mangle and NAT tables. Knows menu paths and properties, nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.api import Request

if TYPE_CHECKING:
    from simulator.router import Router

# With FastTrack on, RouterOS shows a dynamic "special dummy rule to show fasttrack counters"
# first in filter; we show one in mangle and NAT as well (RouterOS 6 did so in all three
# tables), which gives every ordered menu a dynamic first item that our ordering code must
# step around (move/place-before cannot target it).
DUMMY = "special dummy rule to show fasttrack counters"
DYNAMIC_RULES = {
    "/ip/firewall/filter": "forward",
    "/ip/firewall/mangle": "prerouting",
    "/ip/firewall/nat": "srcnat",
}

FILTER = [
    {"chain": "input", "action": "accept", "connection-state": "established,related,untracked",
     "comment": "defconf: accept established,related,untracked"},
    {"chain": "input", "action": "drop", "connection-state": "invalid",
     "comment": "defconf: drop invalid"},
    {"chain": "input", "action": "accept", "protocol": "icmp", "comment": "defconf: accept ICMP"},
    {"chain": "input", "action": "drop", "in-interface-list": "!LAN",
     "comment": "defconf: drop all not coming from LAN"},
    {"chain": "forward", "action": "fasttrack-connection",
     "connection-state": "established,related", "comment": "defconf: fasttrack"},
    {"chain": "forward", "action": "accept", "connection-state": "established,related,untracked",
     "comment": "defconf: accept established,related, untracked"},
    {"chain": "forward", "action": "drop", "connection-state": "invalid",
     "comment": "defconf: drop invalid"},
    {"chain": "forward", "action": "drop", "connection-state": "new",
     "connection-nat-state": "!dstnat", "in-interface-list": "WAN",
     "comment": "defconf: drop all from WAN not DSTNATed"},
]
INTERFACE_LISTS = [{"name": "WAN", "comment": "defconf"}, {"name": "LAN", "comment": "defconf"}]
INTERFACE_LIST_MEMBERS = [
    {"list": "LAN", "interface": "bridge", "comment": "defconf"},
    {"list": "WAN", "interface": "ether1", "comment": "defconf"},
]
NAT = [
    {"chain": "srcnat", "action": "masquerade", "out-interface-list": "WAN",
     "comment": "defconf: masquerade"},
]


def seed_dynamic(router: Router) -> None:
    for path, chain in DYNAMIC_RULES.items():
        menu = router.list_menu(path)
        props = {**menu.schema.defaults(), "chain": chain, "action": "passthrough",
                 "dynamic": "true", "comment": DUMMY}
        router.add_dynamic(path, menu.schema.ordered(props), top=True)


def seed_config(router: Router) -> None:
    for path, rules in (("/interface/list", INTERFACE_LISTS),
                        ("/interface/list/member", INTERFACE_LIST_MEMBERS),
                        ("/ip/firewall/filter", FILTER), ("/ip/firewall/nat", NAT)):
        for rule in rules:
            router.call(Request(f"{path}/add", dict(rule), user="*sys"))
