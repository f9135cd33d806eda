"""/system/scheduler: timed and startup runs (the periodic failover resync)."""

from __future__ import annotations

from providers import normalise as n
from providers.schemas._system import ALL_POLICIES, object_name, policy
from providers.schemas.base import Canonical, MenuSchema, Prop, Version, single
from routeros_vocabulary.menus import SCHEDULER


def _encode_date(value: Canonical, version: Version) -> str:
    # Dates print and parse as jan/02/2024 before 7.10, as ISO from 7.10.
    return str(value) if version >= (7, 10, 0) else n.date_v6(str(value))


SCHEMA = MenuSchema(
    key="scheduler",
    path=SCHEDULER.path,
    props=(
        Prop("name", object_name, required=True),
        Prop("on_event", n.script_source, default=""),
        Prop("start_date", n.date, kept_unless_declared=True),
        Prop("start_time", n.time_of_day, kept_unless_declared=True),
        Prop("interval", n.duration, default="0s"),
        Prop("policy", policy, default=ALL_POLICIES),
        Prop("disabled", n.as_bool, default=False),
        Prop("comment", n.comment),
    ),
    encoders={"start_date": _encode_date},
)

MENU = single(SCHEMA)
