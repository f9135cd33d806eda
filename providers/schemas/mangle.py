"""/ip/firewall/mangle: marking rules (PCC buckets live here)."""

from __future__ import annotations

from functools import partial

from providers import normalise as n
from providers.schemas._firewall import (
    CONNECTION_NAT_STATES,
    chain_prop,
    mark_and_list_matchers,
    matchers,
    name_prop,
    ports_need_protocol,
    requires,
)
from providers.schemas.base import MenuSchema, Prop, single
from routeros_vocabulary.menus import MANGLE

ACTIONS = (
    "accept", "add-dst-to-address-list", "add-src-to-address-list", "change-dscp", "change-mss",
    "change-ttl", "clear-df", "fasttrack-connection", "jump", "log", "mark-connection",
    "mark-packet", "mark-routing", "passthrough", "return", "route", "set-priority", "sniff-pc",
    "sniff-tzsp", "strip-ipv4-options",
)

SCHEMA = MenuSchema(
    key="mangle",
    path=MANGLE.path,
    props=(
        chain_prop(),
        Prop("action", partial(n.choice, allowed=ACTIONS), default="accept"),
        name_prop("new_connection_mark", "connection mark"),
        name_prop("new_packet_mark", "packet mark"),
        name_prop("new_routing_mark", "routing mark"),
        # The default is `true` from 7.19; older routers print it for every rule anyway.
        Prop("passthrough", n.as_bool, default=True),
        name_prop("jump_target", "chain name"),
        Prop("per_connection_classifier", n.classifier),
        name_prop("routing_mark", "routing mark", negatable=True),
        *matchers(),
        *mark_and_list_matchers(),
        Prop("connection_nat_state",
             partial(n.choice_set, allowed=CONNECTION_NAT_STATES, negatable=True)),
    ),
    rules=(
        ports_need_protocol,
        requires("jump", "jump_target"),
        requires("mark-connection", "new_connection_mark"),
        requires("mark-packet", "new_packet_mark"),
        requires("mark-routing", "new_routing_mark"),
    ),
)

MENU = single(SCHEMA)
