"""Properties shared by /system/script and /system/scheduler: names and policies."""

from __future__ import annotations

import re
from functools import partial

from providers import normalise as n

POLICIES = ("ftp", "password", "policy", "read", "reboot", "romon", "sensitive", "sniff",
            "test", "write")
ALL_POLICIES = ",".join(sorted(POLICIES))

policy = partial(n.choice_set, allowed=POLICIES)

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:+@-]*")


def object_name(value: object) -> str:
    """A script or scheduler name. Spaces are refused everywhere: RouterOS v7 rejects them in
    script names, and a name that works on v6 only would break when the router is upgraded."""
    text = str(value)
    if " " in text:
        raise ValueError(f"{value!r}: names with spaces are rejected by RouterOS v7; use - or _")
    if not _NAME.fullmatch(text) or len(text) > 100:
        raise ValueError(
            f"{value!r:.60} is not a valid name: use letters, digits and _ . : + @ - (at most 100)"
        )
    return text
