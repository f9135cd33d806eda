"""`plan(site, version)`: every router object of every load balancer of a site, in order.

Per service (N servers, D slots, M failover groups; `balancer.buckets`):
- mangle: a `jump` from `prerouting` for new connections to the frontend; in chain `lb-<svc>`, D
  slot rules (`per-connection-classifier=<classifier>:D/r` → `new-connection-mark`), and M − 1
  group rules (`:M/j` → `new-packet-mark`; the last group needs no mark, see below);
- nat: a `jump` from `dstnat` for the frontend; in chain `lb-<svc>`, N primary rules
  (`connection-mark` → dst-nat to its server; `disabled` runtime-owned), then M failover rules
  (`packet-mark` → dst-nat; `to-addresses`/`to-ports` runtime-owned). The last failover rule has
  no packet-mark: it catches group M − 1 and anything unmarked, so nothing that enters the chain
  leaves it without a dst-nat (the router's own services are never exposed on the frontend);
- per `hairpin` network (LAN clients reaching the frontend): a srcnat masquerade, and when the
  frontend names an in-interface, a jump in mangle and dstnat for clients from that network;
- netwatch: one entry per server, up- and down-script run the sync script;
- script: the sync script; scheduler: one run at startup (interval 0: RouterOS does not run a
  startup entry whose interval is not 0 at boot) and one every minute.
Rules: (1 + D + M − 1) mangle + (1 + N + M) nat = D + N + 2M + 1, plus H or 3H for hairpin
networks (`rule_count`); objects add N netwatch entries, 1 script, 2 schedulers. Every object
carries an ownership tag `<site>/<service>/<role>` (`balancer.naming.tag`).
Pure: no Pulumi, no sockets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from balancer import naming
from balancer.buckets import bucket_table
from balancer.errors import BalancerError
from balancer.model import BucketTable, PlannedObject, PlannedOrder, ServicePlan, SitePlan
from balancer.scripts import (
    RESYNC_INTERVAL,
    SCRIPT_POLICY,
    ScriptGroup,
    ScriptServer,
    SyncSpec,
    run_sync,
    sync_script,
)
from balancer.spec import LbSite, ServiceSpec
from routeros_vocabulary.tags import compose_comment

V7_HEALTH = {"tcp": "tcp-conn", "http": "http-get"}


# The name the config layer imports; the class is the balancer's one root error.
PlanError = BalancerError


def is_v7(version: str) -> bool:
    major = version.strip().split(".", 1)[0]
    if not major.isdigit():
        raise BalancerError(("version",),
                            f"{version!r} is not a RouterOS version such as 6.49 or 7.20")
    return int(major) >= 7


def plan(site: LbSite, version: str) -> SitePlan:
    v7 = is_v7(version)
    services = tuple(
        _service(site, name, spec, v7) for name, spec in sorted(site.services.items())
    )
    return SitePlan(site=site.name, version=version, services=services)


class _Builder:
    def __init__(self, site: str, service: str) -> None:
        self.site = site
        self.service = service
        self.objects: list[PlannedObject] = []

    def rule(self, menu: str, role: str, comment: str, props: dict[str, str],
             runtime_owned: tuple[str, ...] = (), depends_on: tuple[str, ...] = ()) -> str:
        key = naming.key(self.service, role)
        self.objects.append(PlannedObject(
            key=key, menu=menu, properties={**props, "comment": comment},  # type: ignore[arg-type]
            tag=naming.tag(self.site, self.service, role), runtime_owned=runtime_owned,
            depends_on=depends_on,
        ))
        return key

    def named(self, menu: str, role: str, props: dict[str, str],
              depends_on: tuple[str, ...] = ()) -> str:
        key = naming.key(self.service, role)
        # Tagged too: a create whose reply was lost (a dropped connection after the `add`) must
        # be adopted on the re-run, and the providers never take over an untagged same-named
        # script or scheduler.
        self.objects.append(PlannedObject(key=key, menu=menu, properties=props,  # type: ignore[arg-type]
                                          tag=naming.tag(self.site, self.service, role),
                                          depends_on=depends_on))
        return key

    def stored_comment(self, key: str) -> str:
        obj = next(o for o in self.objects if o.key == key)
        return compose_comment(obj.properties.get("comment"), obj.tag) or ""


def _frontend(spec: ServiceSpec) -> dict[str, str]:
    matchers = {"protocol": spec.frontend.protocol, "dst-port": spec.frontend.ports}
    if spec.frontend.address:
        matchers["dst-address"] = spec.frontend.address
    if spec.frontend.interface:
        matchers["in-interface"] = spec.frontend.interface
    return matchers


def _server_ports(service: str, spec: ServiceSpec) -> dict[str, str]:
    """Each server's `to-ports` ("" = keep the client's port). When some servers set a port, a
    failover rule must set `to-ports` for every target, so the others need one too: the
    frontend's port when it has one."""
    ports = {name: str(s.port) if s.port else "" for name, s in spec.servers.items()}
    if not any(ports.values()) or all(ports.values()):
        return ports
    single = spec.frontend.ports if spec.frontend.ports.isdigit() else None
    for name, port in ports.items():
        if not port:
            if single is None:
                raise BalancerError(
                    ("services", service, "servers", name, "port"),
                    "is required: another server of this service sets a port and the frontend "
                    "has several, so a failover rule could not say which port this server takes",
                )
            ports[name] = single
    return ports


def _health(service: str, spec: ServiceSpec, port: str, v7: bool) -> dict[str, str]:
    health = spec.health
    props = {"interval": health.interval, "timeout": health.timeout}
    if not v7:
        if health.type != "icmp":
            raise BalancerError(("services", service, "health", "type"),
                            f"{health.type} needs RouterOS v7; v6 netwatch only pings (icmp)")
        return props
    if health.type == "icmp":
        return {"type": "simple", **props}
    probe_port = str(health.port) if health.port else port or spec.frontend.ports.split(",")[0]
    return {"type": V7_HEALTH[health.type], "port": probe_port.split("-")[0], **props}


@dataclass(frozen=True)
class _Service:
    """One service as the planners of its parts see it."""

    site: LbSite
    name: str
    spec: ServiceSpec
    table: BucketTable
    ports: dict[str, str]  # each server's `to-ports` ("" = the client's port)

    @property
    def names(self) -> list[str]:
        return sorted(self.spec.servers)

    @property
    def chain(self) -> str:
        return naming.chain(self.name)

    @property
    def set_ports(self) -> bool:
        return any(self.ports.values())

    @property
    def groups(self) -> int:
        return len(self.table.groups)


def _service(site: LbSite, service: str, spec: ServiceSpec, v7: bool) -> ServicePlan:
    weights = {name: server.weight for name, server in spec.servers.items()}
    svc = _Service(site, service, spec, bucket_table(weights, spec.slots),
                   _server_ports(service, spec))
    b = _Builder(site.name, service)
    mangle_members, mangle_jump = _mangle(b, svc)
    nat_members, nat_jump = _nat(b, svc)
    hairpin = _hairpin(b, service, spec, svc.chain)
    source = _sync(b, svc, v7)
    slots = len(svc.table.slots)
    return ServicePlan(
        service=service,
        objects=tuple(b.objects),
        orders=_orders(svc, mangle_members, mangle_jump, nat_members, nat_jump, hairpin),
        buckets=svc.table,
        sync_script=source,
        summary={"servers": len(svc.names), "slots": slots, "groups": svc.groups,
                 "rules": rule_count(len(svc.names), slots, svc.groups, len(spec.hairpin),
                                     bool(spec.frontend.interface)),
                 "frontend": _frontend(spec), "syncScript": naming.sync_script(service)},
    )


def _mangle(b: _Builder, svc: _Service) -> tuple[list[str], str]:
    """The slot and group rules of the chain, then the jump into it (it depends on them)."""
    table, classifier, service = svc.table, svc.spec.classifier, svc.name
    slots = len(table.slots)
    members = []
    for r, server in enumerate(table.slots):
        props = {"chain": svc.chain, "action": "mark-connection",
                 "new-connection-mark": naming.connection_mark(service, server),
                 "passthrough": "yes"}
        if slots > 1:
            props["per-connection-classifier"] = f"{classifier}:{slots}/{r}"
        members.append(b.rule("mangle", f"slot-{r}", f"{service} slot {r}", props))
    for j in range(svc.groups - 1):
        members.append(b.rule("mangle", f"group-{j}", f"{service} group {j}", {
            "chain": svc.chain, "action": "mark-packet",
            "new-packet-mark": naming.packet_mark(service, j), "passthrough": "yes",
            "per-connection-classifier": f"{classifier}:{svc.groups}/{j}"}))
    jump = b.rule("mangle", "mangle-jump", f"{service} entry", {
        "chain": "prerouting", "action": "jump", "jump-target": svc.chain,
        "connection-state": "new", **_frontend(svc.spec)}, depends_on=tuple(members))
    return members, jump


def _nat(b: _Builder, svc: _Service) -> tuple[list[str], str]:
    """Primaries, then failovers, then the jump into the chain."""
    spec, service = svc.spec, svc.name
    members = []
    for name in svc.names:
        # `protocol` on every rule of the chain: RouterOS takes `to-ports` only with a protocol.
        props = {"chain": svc.chain, "action": "dst-nat", "protocol": spec.frontend.protocol,
                 "connection-mark": naming.connection_mark(service, name),
                 "to-addresses": spec.servers[name].address, "disabled": "false"}
        if svc.ports[name]:
            props["to-ports"] = svc.ports[name]
        members.append(b.rule("nat", f"primary-{name}", f"{service} {name}", props,
                              runtime_owned=("disabled",)))
    failover_owned = ("to-addresses", "to-ports") if svc.set_ports else ("to-addresses",)
    for j, preferences in enumerate(svc.table.groups):
        first = preferences[0]
        props = {"chain": svc.chain, "action": "dst-nat", "protocol": spec.frontend.protocol,
                 "to-addresses": spec.servers[first].address}
        if j < svc.groups - 1:
            props["packet-mark"] = naming.packet_mark(service, j)
        if svc.set_ports:
            props["to-ports"] = svc.ports[first]
        members.append(b.rule("nat", f"failover-{j}", f"{service} failover {j}", props,
                              runtime_owned=failover_owned))
    jump = b.rule("nat", "nat-jump", f"{service} entry", {
        "chain": "dstnat", "action": "jump", "jump-target": svc.chain, **_frontend(spec)},
        depends_on=tuple(members))
    return members, jump


def _sync(b: _Builder, svc: _Service, v7: bool) -> str:
    """The sync script, then what runs it: a netwatch entry per server and two schedulers.
    Returns the script's source."""
    service, spec, site = svc.name, svc.spec, svc.site
    sync_name = naming.sync_script(service)
    index = {name: i for i, name in enumerate(svc.names)}
    watch_comments = {name: f"{service} {name} health" for name in svc.names}
    servers = [
        ScriptServer(name, spec.servers[name].address, svc.ports[name],
                     compose_comment(watch_comments[name],
                                     naming.tag(site.name, service, f"watch-{name}")) or "",
                     naming.connection_mark(service, name))
        for name in svc.names
    ]
    groups = [
        ScriptGroup(tuple(index[p] for p in preferences),
                    naming.packet_mark(service, j) if j < svc.groups - 1 else None,
                    b.stored_comment(naming.key(service, f"failover-{j}")))
        for j, preferences in enumerate(svc.table.groups)
    ]
    source = sync_script(SyncSpec(
        service=service, chain=svc.chain, servers=servers, groups=groups,
        fallback=[index[name] for name in svc.table.fallback],
        notify=spec.notify if spec.notify is not None else site.notify,
        set_ports=svc.set_ports, protocol=spec.frontend.protocol))
    sync_key = b.named("script", "sync", {"name": sync_name, "source": source,
                                          "policy": SCRIPT_POLICY})
    runner = run_sync(sync_name)
    for name in svc.names:
        props = {"host": spec.servers[name].address,
                 **_health(service, spec, svc.ports[name], v7),
                 "up-script": runner, "down-script": runner}
        b.rule("netwatch", f"watch-{name}", watch_comments[name], props,
               depends_on=(sync_key,))
    b.named("scheduler", "boot", {"name": naming.boot_scheduler(service),
                                  "start-time": "startup", "interval": "0s",
                                  "on-event": sync_name, "policy": SCRIPT_POLICY},
            depends_on=(sync_key,))
    b.named("scheduler", "resync", {"name": naming.resync_scheduler(service),
                                    "start-time": "00:00:00", "interval": RESYNC_INTERVAL,
                                    "on-event": sync_name, "policy": SCRIPT_POLICY},
            depends_on=(sync_key,))
    return source


def _orders(svc: _Service, mangle_members: list[str], mangle_jump: str, nat_members: list[str],
            nat_jump: str, hairpin: dict[str, tuple[str, ...]]) -> tuple[PlannedOrder, ...]:
    """The chains' orders: each service chain as planned, the jumps in their built-in chains
    (with the hairpin jumps when the frontend names an in-interface), the hairpin masquerades."""
    service, spec = svc.name, svc.spec
    if spec.frontend.interface:
        mangle_entry = (mangle_jump, *hairpin["mangle"])
        nat_entry = (nat_jump, *hairpin["nat"])
    else:  # the frontend's own jumps take LAN clients already
        mangle_entry, nat_entry = (mangle_jump,), (nat_jump,)
    orders = [
        _entry_order(naming.key(service, "order-mangle-entry"), "mangle", "prerouting",
                     mangle_entry, spec.jumps_before.mangle),
        PlannedOrder(naming.key(service, "order-mangle-chain"), "mangle", svc.chain,
                     tuple(mangle_members)),
        _entry_order(naming.key(service, "order-nat-entry"), "nat", "dstnat", nat_entry,
                     spec.jumps_before.nat),
        PlannedOrder(naming.key(service, "order-nat-chain"), "nat", svc.chain,
                     tuple(nat_members)),
    ]
    if hairpin["srcnat"]:
        orders.append(PlannedOrder(naming.key(service, "order-hairpin"), "nat", "srcnat",
                                   hairpin["srcnat"]))
    return tuple(orders)


def _hairpin(b: _Builder, service: str, spec: ServiceSpec, chain: str
             ) -> dict[str, tuple[str, ...]]:
    """Per `hairpin` network: a masquerade in srcnat (a server in the client's own network would
    answer it directly, past the router's NAT); and, when the frontend names an in-interface
    that LAN clients do not arrive on, a jump in mangle and in dstnat for them."""
    rules: dict[str, list[str]] = {"mangle": [], "nat": [], "srcnat": []}
    matchers = {"protocol": spec.frontend.protocol, "dst-port": spec.frontend.ports,
                "dst-address": spec.frontend.address or ""}
    for i, network in enumerate(spec.hairpin):
        if spec.frontend.interface:
            rules["mangle"].append(b.rule("mangle", f"hairpin-jump-{i}", f"{service} hairpin", {
                "chain": "prerouting", "action": "jump", "jump-target": chain,
                "connection-state": "new", "src-address": network, **matchers}))
            rules["nat"].append(b.rule("nat", f"hairpin-nat-jump-{i}", f"{service} hairpin", {
                "chain": "dstnat", "action": "jump", "jump-target": chain,
                "src-address": network, **matchers}))
        rules["srcnat"].append(b.rule("nat", f"hairpin-{i}", f"{service} hairpin", {
            "chain": "srcnat", "action": "masquerade", "protocol": spec.frontend.protocol,
            "src-address": network, "dst-address": network}))
    return {menu: tuple(keys) for menu, keys in rules.items()}


def _entry_order(key: str, menu: Literal["mangle", "nat"], chain: str, members: tuple[str, ...],
                 before_comment: str | None) -> PlannedOrder:
    """The jumps' place in their built-in chain: the top, or before the rule the config names."""
    if before_comment is None:
        return PlannedOrder(key, menu, chain, members)
    return PlannedOrder(key, menu, chain, members, position="before",
                        before_comment=before_comment)


def rule_count(servers: int, slots: int, groups: int, hairpin: int = 0,
               hairpin_jumps: bool = False) -> int:
    """Router rules of one service: (1 + D + M − 1) mangle + (1 + N + M) nat, plus per hairpin
    network a srcnat masquerade (and a mangle and a dstnat jump when the frontend names an
    in-interface): D + N + 2M + 1 + H (or + 3H)."""
    return slots + servers + 2 * groups + 1 + hairpin * (3 if hairpin_jumps else 1)
