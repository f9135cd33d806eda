"""/system/script: named scripts (netwatch up/down hooks, the failover sync script)."""

from __future__ import annotations

from providers import normalise as n
from providers.schemas._system import ALL_POLICIES, object_name, policy
from providers.schemas.base import MenuSchema, Prop, single
from routeros_vocabulary.menus import SCRIPT

SCHEMA = MenuSchema(
    key="script",
    path=SCRIPT.path,
    props=(
        Prop("name", object_name, required=True),
        Prop("source", n.script_source, default=""),
        Prop("policy", policy, default=ALL_POLICIES),
        Prop("dont_require_permissions", n.as_bool, default=False),
        Prop("comment", n.comment),
    ),
)

MENU = single(SCHEMA)
