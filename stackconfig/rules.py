"""Rules across fields of the stack config: what each value allows alone is in the models
(`stackconfig.model`, `balancer.spec`); what values cannot mean together is here.

Each rule takes the validated `SiteSpec` and returns problems `(key, reason)`; a reason that
involves two keys names the other one, so either can be fixed. `check(site)` runs them all.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from balancer.spec import FrontendSpec
from stackconfig.errors import Problem
from stackconfig.keys import ROUTER_KEYS, SERVICES_KEY
from stackconfig.model import SiteSpec


def router_tls(site: SiteSpec) -> list[Problem]:
    """TLS options without TLS. Refused rather than implied: TLS changes the default port, which
    is the router's identity (a new port replaces every object), so it has to be asked for."""
    router, problems = site.router, []
    if not router.tls and router.ca_file is not None:
        problems.append((ROUTER_KEYS["caFile"], "is set but routeros:tls is not true: the "
                                                "CA file is for API-SSL; set routeros:tls: true"))
    if not router.tls and not router.verify_tls:
        problems.append((ROUTER_KEYS["verifyTls"], "is false but routeros:tls is not true: "
                                                   "there is no certificate to verify; set "
                                                   "routeros:tls: true"))
    return problems


def ca_file_exists(site: SiteSpec, is_file: Callable[[str], bool]) -> list[Problem]:
    ca_file = site.router.ca_file
    if ca_file is not None and not is_file(ca_file):
        return [(ROUTER_KEYS["caFile"], f"{ca_file!r} is not a file (relative paths are read "
                                        "from the project directory)")]
    return []


def _port_ranges(ports: str) -> list[tuple[int, int]]:
    # `ports` is already normalised by the spec: `80,443,8000-8080`.
    ranges = []
    for entry in ports.split(","):
        first, _, last = entry.partition("-")
        ranges.append((int(first), int(last or first)))
    return ranges


def _ports_meet(a: str, b: str) -> bool:
    return any(a_lo <= b_hi and b_lo <= a_hi
               for a_lo, a_hi in _port_ranges(a) for b_lo, b_hi in _port_ranges(b))


def _could_match_the_same(a: FrontendSpec, b: FrontendSpec) -> bool:
    """Whether one new connection could match both frontends' entry rules: an unset address or
    interface matches any."""
    return (a.protocol == b.protocol and _ports_meet(a.ports, b.ports)
            and (a.address is None or b.address is None or a.address == b.address)
            and (a.interface is None or b.interface is None or a.interface == b.interface))


def overlapping_frontends(site: SiteSpec) -> list[Problem]:
    """Two services that could take the same connection: the first entry rule would win, and
    which one is first changes with the order the router holds them in."""
    problems = []
    names = sorted(site.services)
    for index, name in enumerate(names):
        for other in names[index + 1:]:
            if _could_match_the_same(site.services[name].frontend,
                                     site.services[other].frontend):
                problems.append((f"{SERVICES_KEY}.{other}.frontend",
                                 f"overlaps {SERVICES_KEY}.{name}.frontend (same protocol, "
                                 "ports that meet, and the same or an unset address and "
                                 "interface): give each service its own ports or address"))
    return problems


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def frontend_on_the_api_port(site: SiteSpec) -> list[Problem]:
    """A frontend that would dst-nat the router's own API (`routeros:port` on `routeros:host`)
    to a server: after `up` the stack could no longer reach its router. A frontend without an
    address matches every address on its interface, the router's own included. A host name is
    compared as written (nothing is resolved here)."""
    router, problems = site.router, []
    api_port = str(router.effective_port)
    if router.port is None:
        port_key = f"{ROUTER_KEYS['port']} (unset: {api_port})"
    else:
        port_key = ROUTER_KEYS["port"]
    for name, service in sorted(site.services.items()):
        frontend = service.frontend
        if frontend.protocol != "tcp" or not _ports_meet(frontend.ports, api_port):
            continue
        if frontend.address is None or (_is_address(router.host)
                                        and frontend.address == router.host):
            where = ("has no address, so it matches routeros:host too" if frontend.address is None
                     else f"is routeros:host ({router.host})")
            problems.append((f"{SERVICES_KEY}.{name}.frontend.ports",
                             f"covers the router's API port, {port_key}, and "
                             f"{SERVICES_KEY}.{name}.frontend.address {where}: the API would be "
                             "sent to a server and the stack locked out of its router; use "
                             "other ports or another frontend address"))
    return problems


def hairpin_everything(site: SiteSpec) -> list[Problem]:
    """A hairpin network of /0 masquerades every client of the service (and everything else
    the rule matches), so the servers see only the router."""
    return [(f"{SERVICES_KEY}.{name}.hairpin.{index}",
             f"{network} would masquerade every client, not only the LAN's: name the LAN "
             "network the clients reach the frontend from, such as 192.168.1.0/24")
            for name, service in sorted(site.services.items())
            for index, network in enumerate(service.hairpin)
            if network.endswith("/0")]


RULES: tuple[Callable[[SiteSpec], list[Problem]], ...] = (
    router_tls, overlapping_frontends, frontend_on_the_api_port, hairpin_everything,
)


def check(site: SiteSpec, is_file: Callable[[str], bool] | None = None) -> list[Problem]:
    """Every cross-field problem of `site`; `is_file` also checks the files the config names."""
    problems = [problem for rule in RULES for problem in rule(site)]
    if is_file is not None:
        problems += ca_file_exists(site, is_file)
    return problems
