"""/tool/netwatch: host probes that run the up/down scripts.

v6 knows ICMP only (host, interval, timeout, scripts); v7 adds probe types, names, delays,
thresholds and a test script. Defaults marked [uncertain] in the reference (v6 interval 1m,
timeout 1s) are taken as they are; v7 threshold defaults are not documented, so those fields are
compared only when declared (`kept_unless_declared`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from functools import partial
from typing import Any

from providers import normalise as n
from providers.schemas.base import Issue, Menu, MenuSchema, Prop, is_unknown
from routeros_vocabulary.menus import NETWATCH

V7: tuple[int, int, int] = (7, 0, 0)
TYPES = ("simple", "icmp", "tcp-conn", "http-get", "https-get", "dns")


def _common(interval: str, timeout: str) -> tuple[Prop, ...]:
    return (
        Prop("interval", n.duration, default=interval),
        Prop("timeout", n.duration, default=timeout),
        Prop("up_script", n.script_source, default=""),
        Prop("down_script", n.script_source, default=""),
        Prop("disabled", n.as_bool, default=False),
        Prop("comment", n.comment),
    )


def _percent(value: object) -> str:
    text = str(value).strip().removesuffix("%")
    return n.integer(text, high=100) + "%"


def _v7(name: str, normalise, **kw) -> Prop:  # type: ignore[no-untyped-def]
    return Prop(name, normalise, since=V7, **kw)


def _host_is_an_address_unless_dns(values: Mapping[str, Any]) -> list[Issue]:
    """v7 takes a domain name only for `type=dns` (manual: host formats); others need an IP."""
    host, kind = values.get("host"), values.get("type", "simple")
    if host is None or is_unknown(host) or is_unknown(kind) or kind == "dns":
        return []
    try:
        ipaddress.ip_address(str(host))
    except ValueError:
        return [("host", f"host must be an IP address for type={kind}; "
                         "a domain name needs type=dns")]
    return []


V6_SCHEMA = MenuSchema(
    key="netwatch",
    path=NETWATCH.path,
    props=(Prop("host", n.plain_address, required=True), *_common("1m", "1s")),
)

_OPTIONAL_V7 = (
    ("packet_interval", n.duration), ("packet_count", n.integer),
    ("packet_size", n.integer), ("thr_max", n.duration), ("thr_avg", n.duration),
    ("thr_stdev", n.duration), ("thr_jitter", n.duration), ("thr_loss_percent", _percent),
    ("thr_loss_count", n.integer), ("thr_tcp_conn_time", n.duration),
    ("thr_http_time", n.duration),
)

V7_SCHEMA = MenuSchema(
    key="netwatch",
    path=NETWATCH.path,
    props=(
        Prop("host", n.host, required=True),
        _v7("name", n.text),
        _v7("type", partial(n.choice, allowed=TYPES), default="simple"),
        # 80, or 443 for https-get: the router fills it in from the type.
        _v7("port", n.single_port, kept_unless_declared=True),
        _v7("start_delay", n.duration, default="3s"),
        _v7("startup_delay", n.duration, default="5m"),
        _v7("test_script", n.script_source, default=""),
        _v7("src_address", n.plain_address),
        # v7 prints it, empty when unset (terraform-provider-routeros's captured print).
        _v7("http_codes", n.text, default=""),
        *(_v7(name, fn, kept_unless_declared=True) for name, fn in _OPTIONAL_V7),
        *_common("10s", "3s"),
    ),
    # Each probe type takes its own fields; switching type in place could leave the old
    # type's fields behind, so a new probe replaces the old one.
    replace=frozenset({"type"}),
    rules=(_host_is_an_address_unless_dns,),
)

MENU = Menu("netwatch", (((0, 0, 0), V6_SCHEMA), (V7, V7_SCHEMA)))
