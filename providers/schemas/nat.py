"""/ip/firewall/nat: address translation rules (the per-bucket dst-nat failover rules)."""

from __future__ import annotations

from functools import partial

from providers import normalise as n
from providers.schemas._firewall import (
    chain_prop,
    mark_and_list_matchers,
    matchers,
    name_prop,
    ports_need_protocol,
    requires,
)
from providers.schemas.base import MenuSchema, Prop, single
from routeros_vocabulary.menus import NAT

ACTIONS = (
    "accept", "add-dst-to-address-list", "add-src-to-address-list", "dst-nat",
    "endpoint-independent-nat", "jump", "log", "masquerade", "netmap", "passthrough", "redirect",
    "return", "same", "src-nat",
)

SCHEMA = MenuSchema(
    key="nat",
    path=NAT.path,
    props=(
        chain_prop(),
        Prop("action", partial(n.choice, allowed=ACTIONS), default="accept"),
        Prop("to_addresses", partial(n.address, allow_negation=False, family=4)),
        Prop("to_ports", n.port_or_range),
        name_prop("jump_target", "chain name"),
        *matchers(connection_state=False),
        *mark_and_list_matchers(),
    ),
    rules=(
        ports_need_protocol,
        requires("jump", "jump_target"),
        requires("dst-nat", "to_addresses", "to_ports", any_of=True),
        requires("src-nat", "to_addresses"),
        requires("netmap", "to_addresses"),
    ),
)

MENU = single(SCHEMA)
