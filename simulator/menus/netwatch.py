"""`/tool/netwatch`: the v6 schema (host, interval, timeout, up/down scripts) and the v7 one
(probe types, ports, thresholds; defaults applied but not printed).

This module holds entries and resets their status when a client edits them; probing hosts and
running the scripts is the behaviour's (it reads `items` and writes `status`/`since`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.menus.engine import Item, ListMenu
from simulator.profiles import Profile
from simulator.schema import (
    Bool,
    Duration,
    Enum,
    Host,
    Int,
    InvalidValue,
    IPv4,
    Name,
    Pattern,
    Prop,
    Schema,
    Source,
    Text,
)

if TYPE_CHECKING:
    from simulator.router import Router

PROBE_TYPES = ("simple", "icmp", "tcp-conn", "http-get", "https-get", "dns")


def _v6_props() -> list[Prop]:
    # [uncertain] v6 defaults interval 1m and timeout 1s; v6 prints them.
    return [
        Prop("host", IPv4(), required=True),
        Prop("timeout", Duration(0.02, 10), default="1s"),
        Prop("interval", Duration(1), default="1m"),
        Prop("up-script", Source(), default=""),
        Prop("down-script", Source(), default=""),
        Prop("status", read_only=True, runtime=True, default="unknown"),
        Prop("since", read_only=True, runtime=True),
        Prop("disabled", Bool(), default="false"),
        Prop("comment", Text()),
    ]


_CODES = r"(\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*)?"


def _v7_props() -> list[Prop]:
    # v7 applies defaults without printing them (reference section 3): `printed=False`. It does
    # print `type` and the scripts (empty when unset) and `http-codes`: terraform-provider-
    # routeros's captured print of a 7.x entry (`resource_tool_netwatch.go`).
    durations = ("thr-max", "thr-avg", "thr-stdev", "thr-jitter", "thr-tcp-conn-time",
                 "thr-http-time")
    return [
        Prop("name", Name()),
        Prop("type", Enum(*PROBE_TYPES), default="simple"),
        Prop("host", Host(vrf=True), required=True),
        Prop("port", Int(1, 65535), default="80", printed=False),
        Prop("src-address", IPv4()),
        Prop("interval", Duration(0.1), default="10s", printed=False),
        Prop("timeout", Duration(0.001, 600), default="3s", printed=False),
        Prop("start-delay", Duration(), default="3s", printed=False),
        Prop("startup-delay", Duration(), default="5m", printed=False),
        Prop("up-script", Source(), default=""),
        Prop("down-script", Source(), default=""),
        Prop("test-script", Source(), default=""),
        # 7.x decides an http-get pass by `http-codes` (community.routeros `_api_data.py`, from
        # 7.x routers); the manual's older `http-code-min`/`http-code-max` are not arguments
        # there. See docs/simulator-internals.md.
        Prop("http-codes", Pattern(_CODES), default=""),
        Prop("certificate", Name()),
        Prop("check-certificate", Bool()),
        Prop("packet-interval", Duration(), default="50ms", printed=False),
        Prop("packet-count", Int(1, 10000), default="10", printed=False),
        Prop("packet-size", Int(28, 10000), default="54", printed=False),
        Prop("accept-icmp-time-exceeded", Bool(), default="false", printed=False,
             since=(7, 16)),
        Prop("ttl", Int(1, 255), default="255", printed=False, since=(7, 16)),
        *(Prop(name, Duration()) for name in durations),
        Prop("thr-loss-percent", Text()),
        Prop("thr-loss-count", Int(0, 4294967295)),
        Prop("status", read_only=True, runtime=True, default="unknown"),
        Prop("since", read_only=True, runtime=True),
        Prop("done-tests", read_only=True, runtime=True, default="0"),
        Prop("failed-tests", read_only=True, runtime=True, default="0"),
        Prop("disabled", Bool(), default="false"),
        Prop("comment", Text()),
    ]


def _is_address(host: str) -> bool:
    """An IPv4 address, optionally `@vrf` (the manual's host formats; no IPv6 here)."""
    address, _, vrf = host.partition("@")
    try:
        IPv4().parse(address)
    except InvalidValue:
        return False
    return "@" not in host or bool(vrf)


class NetwatchMenu(ListMenu):
    def __init__(self, profile: Profile) -> None:
        props = _v7_props() if profile.is_v7 else _v6_props()
        super().__init__("/tool/netwatch", Schema(profile, props))

    def default_for(self, item: Item, name: str) -> str | None:
        if name == "port" and item.props.get("type") == "https-get":
            return "443"
        return super().default_for(item, name)

    def check(self, router: Router, props: dict[str, str], item: Item | None) -> None:
        super().check(router, props, item)
        # v7: a domain name only for `type=dns`; every other probe needs an address (manual:
        # "domain name (for type=dns)").
        kind = props.get("type", "simple")
        if router.profile.is_v7 and kind != "dns" and not _is_address(props.get("host", "")):
            raise InvalidValue().for_argument("host")

    def on_edit(self, router: Router, item: Item) -> None:
        # Any edit, enable or disable restarts the probe: status back to unknown.
        item.props["status"] = "unknown"
        item.props["since"] = router.now_text()
        item.props = self.schema.ordered(item.props)


def menus(profile: Profile) -> list[ListMenu]:
    return [NetwatchMenu(profile)]
