"""`python -m tools.status --stack S`: what a stack's load balancers are doing on the router now.

Per service: each server's health (netwatch: up, down or unknown, and since when), whether its
primary rule is enabled (the router's own scripts disable it while the server is down), its open
connections (conntrack entries whose reply comes from it), where each slot's clients go now, and
each failover group's current target; then whether the router's objects match the plan (drift,
as `render --diff` reports it in full). Read-only: one print per menu, nothing written.

`--check` makes it a monitoring check (the Nagios/Icinga plugin convention): the first line is the
verdict (`LB OK - ...`, with performance data after `|`), and the exit status says it: 0 OK,
1 WARNING (drift, competing rules, a server in maintenance: its netwatch entry disabled), 2
CRITICAL (a server down, or a service with no server up), 3 UNKNOWN (the router or the stack
cannot be read).

JSON names: `stack`, `site`, `router`, `routerVersion`, `planVersion`, `inSync`, `drift` (`same`,
`differs`, `missing`, `extra`, `order`, `competing`: counts), `services`: each with `service`,
`frontend`, `servers` (name → `address`, `health`: `up`/`down`/`unknown`/`maintenance`/`missing`,
`since`, `primary`: `enabled`/`disabled`/
`missing`, `connections`), `slots` (each `slot`, `server`, `now`: the server, or `failover` while
its server's primary is disabled), `groups` (each `group`, `preferences`, `target`: the server
name the failover rule points at now, or its address when no server has it); with `--check`,
`check` (`state`, `exitStatus`, `summary`).
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections import Counter
from collections.abc import Mapping
from typing import Any

from balancer.model import ServicePlan
from routeros_vocabulary.tags import split_comment
from tools.cli_common import (
    ToolError,
    add_router_options,
    add_stack_options,
    router_client,
    router_version,
    run,
)
from tools.router_diff import SiteDiff, compare, read_router
from tools.site_plan import LoadedStack, StackError, load_plan

CONNECTIONS = "/ip/firewall/connection"
WIDTH = 80
MAINTENANCE = "maintenance"
# The monitoring plugin convention (Nagios, Icinga, Checkmk, Zabbix's agent): exit status and word.
OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3
STATE_WORDS = {OK: "OK", WARNING: "WARNING", CRITICAL: "CRITICAL", UNKNOWN: "UNKNOWN"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.status",
        description="Servers up or down, where clients go now, and drift, read from the router.",
        epilog="example: ROUTEROS_PASSWORD=... python -m tools.status --stack dev",
    )
    add_stack_options(parser, version_help="RouterOS version of the plan to compare with "
                                           "(default: the router's)")
    parser.add_argument("--check", action="store_true",
                        help="a monitoring check (Nagios/Icinga plugin convention): one summary "
                             "line first; exit 0 OK, 1 WARNING (drift, a server in maintenance), "
                             "2 CRITICAL (a server down, a service with no server up), "
                             "3 UNKNOWN (the router or the stack cannot be read)")
    add_router_options(parser)
    return parser.parse_args(argv)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _by_tag(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {}
    for row in rows:
        tag = split_comment(_text(row.get("comment")))[1]
        if tag:
            out[tag] = row
    return out


def _health(probe: dict[str, Any] | None) -> str:
    """`up`, `down`, `unknown`; `maintenance` while its netwatch entry is disabled (the
    documented gesture for taking a server out by hand); `missing` without one."""
    if probe is None:
        return "missing"
    if _text(probe.get("disabled")) in ("true", "yes"):
        return MAINTENANCE
    return _text(probe.get("status")) or "unknown"


def service_status(service: ServicePlan, spec: Any, rows: dict[str, list[dict[str, Any]]],
                   connections: Counter[str]) -> dict[str, Any]:
    nat = _by_tag(rows.get("/ip/firewall/nat", []))
    watch = _by_tag(rows.get("/tool/netwatch", []))
    objects = {obj.key: obj for obj in service.objects}
    servers: dict[str, dict[str, Any]] = {}
    for name, server in sorted(spec.servers.items()):
        primary = nat.get(objects[f"{service.service}/primary-{name}"].tag or "")
        probe = watch.get(objects[f"{service.service}/watch-{name}"].tag or "")
        servers[name] = {
            "address": server.address,
            "health": _health(probe),
            "since": _text(probe.get("since")) if probe else "",
            "primary": ("missing" if primary is None
                        else "disabled" if _text(primary.get("disabled")) in ("true", "yes")
                        else "enabled"),
            "connections": connections[server.address],
        }
    by_address = {server.address: name for name, server in spec.servers.items()}
    slots = [{"slot": r, "server": name,
              "now": name if servers[name]["primary"] == "enabled" else "failover"}
             for r, name in enumerate(service.buckets.slots)]
    groups = []
    for j, preferences in enumerate(service.buckets.groups):
        rule = nat.get(objects[f"{service.service}/failover-{j}"].tag or "")
        address = _text(rule.get("to-addresses")) if rule else ""
        groups.append({"group": j, "preferences": list(preferences),
                       "target": by_address.get(address, address or "missing")})
    declared = service.summary.get("frontend")
    frontend = dict(declared) if isinstance(declared, Mapping) else {}
    return {"service": service.service, "frontend": frontend, "servers": servers,
            "slots": slots, "groups": groups}


def drift_counts(diff: SiteDiff) -> dict[str, int]:
    return {
        **{status: sum(1 for o in diff.objects if o.status == status)
           for status in ("same", "differs", "missing")},
        "extra": len(diff.extra), "order": len(diff.order), "competing": len(diff.competing),
    }


def read_status(client: Any, loaded: LoadedStack) -> dict[str, Any]:
    rows = read_router(client, loaded.plan)
    conntrack = client.print(CONNECTIONS, proplist=["reply-src-address"])
    connections = Counter(_text(row.get("reply-src-address")).rsplit(":", 1)[0]
                          for row in conntrack)
    diff = compare(loaded.plan, rows)
    return {
        "stack": loaded.stack, "site": loaded.plan.site, "router": client.settings.label,
        "routerVersion": client.version_text, "planVersion": loaded.plan.version,
        "inSync": diff.in_sync, "drift": drift_counts(diff),
        "services": [service_status(service, loaded.site.services[service.service], rows,
                                    connections)
                     for service in loaded.plan.services],
    }


def _wrap(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def text_report(status: dict[str, Any]) -> str:
    drift = status["drift"]
    if status["inSync"]:
        state = "the router matches the plan"
    else:
        state = (f"DRIFT: {drift['differs']} differ, {drift['missing']} missing, "
                 f"{drift['extra']} extra, {drift['order']} out of order "
                 "(python -m tools.render --diff shows each)")
    lines = [f"stack {status['stack']} (site {status['site']}) on {status['router']}, "
             f"RouterOS {status['routerVersion']}", *_wrap(state, "")]
    if drift["competing"]:
        lines.append(f"{drift['competing']} hand-made rule(s) compete for a service's traffic "
                     "(render --diff names them)")
    for service in status["services"]:
        frontend = service["frontend"]
        where = frontend.get("dst-address") or frontend.get("in-interface", "")
        lines += ["", f"service {service['service']}: {where} port {frontend.get('dst-port')}"
                      f"/{frontend.get('protocol')}"]
        lines.append(f"  {'server':<12}{'address':<17}{'health':<9}{'primary':<10}"
                     f"{'conns':>6}  since")
        for name, server in service["servers"].items():
            lines.append(f"  {name[:11]:<12}{server['address']:<17}{server['health']:<9}"
                         f"{server['primary']:<10}{server['connections']:>6}  {server['since']}")
        slots = Counter(slot["now"] for slot in service["slots"])
        lines += _wrap(f"slots ({len(service['slots'])}) now: "
                       + ", ".join(f"{name} {count}" for name, count in sorted(slots.items())))
        lines += _wrap(f"failover groups ({len(service['groups'])}) now: "
                       + ", ".join(f"g{g['group']}->{g['target']}" for g in service["groups"]))
    return "\n".join(lines)


def check(status: dict[str, Any]) -> tuple[int, str]:
    """The monitoring verdict: its exit status and its one summary line (worst news first)."""
    critical, warning = [], []
    for service in status["services"]:
        name, servers = service["service"], service["servers"]
        down = [server for server, state in servers.items() if state["health"] == "down"]
        # Before netwatch's first probe a server is `unknown` and its rule, enabled, serves.
        serving = [server for server, state in servers.items()
                   if state["health"] in ("up", "unknown") and state["primary"] == "enabled"]
        if not serving:
            critical.append(f"{name}: no server up")
        if down:
            critical.append(f"{name}: {', '.join(down)} down")
        held = [server for server, state in servers.items() if state["health"] == MAINTENANCE]
        if held:
            warning.append(f"{name}: {', '.join(held)} in maintenance")
    drift = status["drift"]
    if not status["inSync"]:
        warning.append(f"drift: {drift['differs']} differ, {drift['missing']} missing, "
                       f"{drift['extra']} extra, {drift['order']} out of order")
    if drift["competing"]:
        warning.append(f"{drift['competing']} hand-made rule(s) compete")
    code = CRITICAL if critical else WARNING if warning else OK
    up = sum(1 for service in status["services"] for state in service["servers"].values()
             if state["health"] == "up")
    total = sum(len(service["servers"]) for service in status["services"])
    news = "; ".join(critical + warning) or f"{up}/{total} servers up, the router matches the plan"
    perfdata = f"servers_up={up};;;0;{total} drift={drift['differs'] + drift['missing']}"
    return code, f"LB {STATE_WORDS[code]} - {status['site']}: {news} | {perfdata}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.check:
        return _monitor(args)
    status = read(args)
    print(json.dumps(status, indent=2) if args.json else text_report(status))
    return 0


def read(args: argparse.Namespace) -> dict[str, Any]:
    loaded = load_plan(args.stack, args.version, args.stacks)
    with router_client(loaded.site, args) as client:
        version = args.version or router_version(client)
        if version != loaded.plan.version:
            loaded = load_plan(args.stack, version, args.stacks)
        return read_status(client, loaded)


def _monitor(args: argparse.Namespace) -> int:
    """`--check`: every outcome is a verdict on stdout, an unreadable router or stack UNKNOWN."""
    try:
        status = read(args)
    except (ToolError, StackError) as error:
        print(f"LB UNKNOWN - {error}")
        return UNKNOWN
    code, summary = check(status)
    status["check"] = {"state": STATE_WORDS[code], "exitStatus": code, "summary": summary}
    print(json.dumps(status, indent=2) if args.json else f"{summary}\n{text_report(status)}")
    return code


if __name__ == "__main__":
    sys.exit(run(main))
