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

from typing import Literal

from balancer import naming
from balancer.buckets import bucket_table
from balancer.model import PlannedObject, PlannedOrder, ServicePlan, SitePlan
from balancer.scripts import (
    RESYNC_INTERVAL,
    SCRIPT_POLICY,
    ScriptGroup,
    ScriptServer,
    run_sync,
    sync_script,
)
from balancer.spec import LbSite, ServiceSpec
from routeros_vocabulary.tags import compose_comment

V7_HEALTH = {"tcp": "tcp-conn", "http": "http-get"}


class PlanError(ValueError):
    """The balancer's one error: a site that cannot be planned for this router version.

    `location` is where the cause is in the plan's input, as pydantic locates errors: `("version",)`
    or a path into `LbSite` (`("services", "web", "health", "type")`). The stack config package
    reports it under the config key of that location."""

    def __init__(self, location: tuple[str, ...], reason: str) -> None:
        self.location = location
        self.reason = reason
        super().__init__(f"{'.'.join(location)}: {reason}")


def is_v7(version: str) -> bool:
    major = version.strip().split(".", 1)[0]
    if not major.isdigit():
        raise PlanError(("version",), f"{version!r} is not a RouterOS version such as 6.49 or 7.20")
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
                raise PlanError(
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
            raise PlanError(("services", service, "health", "type"),
                            f"{health.type} needs RouterOS v7; v6 netwatch only pings (icmp)")
        return props
    if health.type == "icmp":
        return {"type": "simple", **props}
    probe_port = str(health.port) if health.port else port or spec.frontend.ports.split(",")[0]
    return {"type": V7_HEALTH[health.type], "port": probe_port.split("-")[0], **props}


def _service(site: LbSite, service: str, spec: ServiceSpec, v7: bool) -> ServicePlan:
    weights = {name: server.weight for name, server in spec.servers.items()}
    table = bucket_table(weights, spec.slots)
    names = sorted(spec.servers)
    index = {name: i for i, name in enumerate(names)}
    ports = _server_ports(service, spec)
    set_ports = any(ports.values())
    slots, groups = len(table.slots), len(table.groups)
    chain = naming.chain(service)
    b = _Builder(site.name, service)
    frontend = _frontend(spec)

    # mangle: the chain first, the jump into it last (it depends on them).
    mangle_members = []
    for r, server in enumerate(table.slots):
        props = {"chain": chain, "action": "mark-connection",
                 "new-connection-mark": naming.connection_mark(service, server),
                 "passthrough": "yes"}
        if slots > 1:
            props["per-connection-classifier"] = f"{spec.classifier}:{slots}/{r}"
        mangle_members.append(b.rule("mangle", f"slot-{r}", f"{service} slot {r}", props))
    for j in range(groups - 1):
        mangle_members.append(b.rule("mangle", f"group-{j}", f"{service} group {j}", {
            "chain": chain, "action": "mark-packet",
            "new-packet-mark": naming.packet_mark(service, j), "passthrough": "yes",
            "per-connection-classifier": f"{spec.classifier}:{groups}/{j}"}))
    mangle_jump = b.rule("mangle", "mangle-jump", f"{service} entry", {
        "chain": "prerouting", "action": "jump", "jump-target": chain,
        "connection-state": "new", **frontend}, depends_on=tuple(mangle_members))

    # nat: primaries, then failovers, then the jump.
    nat_members = []
    for name in names:
        # `protocol` on every rule of the chain: RouterOS takes `to-ports` only with a protocol.
        props = {"chain": chain, "action": "dst-nat", "protocol": spec.frontend.protocol,
                 "connection-mark": naming.connection_mark(service, name),
                 "to-addresses": spec.servers[name].address, "disabled": "false"}
        if ports[name]:
            props["to-ports"] = ports[name]
        nat_members.append(b.rule("nat", f"primary-{name}", f"{service} {name}", props,
                                  runtime_owned=("disabled",)))
    failover_owned = ("to-addresses", "to-ports") if set_ports else ("to-addresses",)
    for j, preferences in enumerate(table.groups):
        first = preferences[0]
        props = {"chain": chain, "action": "dst-nat", "protocol": spec.frontend.protocol,
                 "to-addresses": spec.servers[first].address}
        if j < groups - 1:
            props["packet-mark"] = naming.packet_mark(service, j)
        if set_ports:
            props["to-ports"] = ports[first]
        nat_members.append(b.rule("nat", f"failover-{j}", f"{service} failover {j}", props,
                                  runtime_owned=failover_owned))
    nat_jump = b.rule("nat", "nat-jump", f"{service} entry", {
        "chain": "dstnat", "action": "jump", "jump-target": chain, **frontend},
        depends_on=tuple(nat_members))
    hairpin = _hairpin(b, service, spec, chain)
    if spec.frontend.interface:
        mangle_entry = (mangle_jump, *hairpin["mangle"])
        nat_entry = (nat_jump, *hairpin["nat"])
    else:  # the frontend's own jumps take LAN clients already
        mangle_entry, nat_entry = (mangle_jump,), (nat_jump,)

    # The sync script, then what runs it.
    sync_name = naming.sync_script(service)
    watch_tags = {name: naming.tag(site.name, service, f"watch-{name}") for name in names}
    watch_comments = {name: f"{service} {name} health" for name in names}
    script_servers = [
        ScriptServer(name, spec.servers[name].address, ports[name],
                     compose_comment(watch_comments[name], watch_tags[name]) or "",
                     naming.connection_mark(service, name))
        for name in names
    ]
    script_groups = [
        ScriptGroup(tuple(index[p] for p in preferences),
                    naming.packet_mark(service, j) if j < groups - 1 else None,
                    b.stored_comment(naming.key(service, f"failover-{j}")))
        for j, preferences in enumerate(table.groups)
    ]
    notify = spec.notify if spec.notify is not None else site.notify
    source = sync_script(service, chain, script_servers, script_groups,
                         [index[name] for name in table.fallback], notify, set_ports)
    sync_key = b.named("script", "sync", {"name": sync_name, "source": source,
                                          "policy": SCRIPT_POLICY})
    runner = run_sync(sync_name)
    for name in names:
        props = {"host": spec.servers[name].address,
                 **_health(service, spec, ports[name], v7),
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

    orders = [
        _entry_order(naming.key(service, "order-mangle-entry"), "mangle", "prerouting",
                     mangle_entry, spec.jumps_before.mangle),
        PlannedOrder(naming.key(service, "order-mangle-chain"), "mangle", chain,
                     tuple(mangle_members)),
        _entry_order(naming.key(service, "order-nat-entry"), "nat", "dstnat", nat_entry,
                     spec.jumps_before.nat),
        PlannedOrder(naming.key(service, "order-nat-chain"), "nat", chain, tuple(nat_members)),
    ]
    if hairpin["srcnat"]:
        orders.append(PlannedOrder(naming.key(service, "order-hairpin"), "nat", "srcnat",
                                   hairpin["srcnat"]))
    return ServicePlan(
        service=service,
        objects=tuple(b.objects),
        orders=tuple(orders),
        buckets=table,
        sync_script=source,
        summary={"servers": len(names), "slots": slots, "groups": groups,
                 "rules": rule_count(len(names), slots, groups, len(spec.hairpin),
                                     bool(spec.frontend.interface)),
                 "frontend": frontend, "syncScript": sync_name},
    )


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
