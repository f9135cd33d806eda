"""What a router holds against what a site's plan says: missing, different, extra, out of order, and
hand-made rules that compete with a service for its traffic.

`read_router(client, plan)` takes one bulk print per menu the plan uses; `compare(plan, rows)` is
pure. Values are compared in the providers' canonical forms (`providers/schemas`), so `10s` and
`00:00:10`, `yes` and `true` are the same; runtime-owned properties (what the router's own scripts
change: a primary rule's `disabled`, a failover rule's target) are never drift.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from balancer.model import MENU_PATHS, PlannedObject, SitePlan
from providers.schemas import menu as menu_schema
from routeros_vocabulary.tags import split_comment
from tools.rsc import BUILT_IN_CHAINS, stored_properties, version_tuple

Rows = Mapping[str, list[dict[str, Any]]]

NAT = MENU_PATHS["nat"]
MANGLE = MENU_PATHS["mangle"]
ADDRESS_LIST = "/ip/firewall/address-list"
UNSET = "(unset)"
COMPETING_NAT_ACTIONS = frozenset({"dst-nat", "redirect", "netmap", "same", "accept"})
COMPETING_MANGLE_ACTIONS = frozenset({"mark-connection", "mark-packet"})


@dataclass(frozen=True)
class Change:
    prop: str
    router: str | None
    planned: str


@dataclass(frozen=True)
class ObjectState:
    key: str
    path: str
    label: str  # the comment or the name: how a person finds it on the router
    status: str  # "missing", "differs" or "same"
    changes: tuple[Change, ...] = ()
    id: str | None = None


@dataclass(frozen=True)
class Competing:
    """A rule routeros-lb does not own that catches a service's traffic."""

    service: str
    path: str
    id: str
    summary: str
    # "before" / "after" the service's entry rule on the router now, or "no-entry" (not
    # deployed yet: `up` places the entry at the top of the chain, above this rule).
    where: str

    @property
    def message(self) -> str:
        if self.path == MANGLE:
            # A mark is not final: whichever rule marks last wins.
            if self.where == "before":
                return (f"no effect on {self.service}: routeros-lb's rules mark its connections "
                        "again after this rule; remove it")
            if self.where == "after":
                return (f"breaks {self.service}: it marks the service's connections again after "
                        "routeros-lb's rules, so clients go to the wrong server; remove it")
            return (f"will break {self.service}: once deployed, routeros-lb's rules come first "
                    "and this rule marks their connections again; remove it first")
        if self.where == "before":
            return (f"shadows {self.service}: evaluated before routeros-lb's entry rule, it "
                    "catches the service's connections")
        if self.where == "after":
            return (f"dead: routeros-lb's entry rule for {self.service} comes first and takes "
                    "these connections")
        return (f"competes with {self.service}: once deployed, routeros-lb's entry rule goes "
                "above it and takes these connections")


@dataclass
class SiteDiff:
    objects: list[ObjectState] = field(default_factory=list)
    extra: list[tuple[str, str, str]] = field(default_factory=list)  # path, id, comment
    order: list[str] = field(default_factory=list)
    competing: list[Competing] = field(default_factory=list)

    @property
    def in_sync(self) -> bool:
        return not self.extra and not self.order and all(o.status == "same" for o in self.objects)


def read_router(client: Any, site_plan: SitePlan) -> dict[str, list[dict[str, Any]]]:
    """One `print` per menu the plan uses (and NAT, mangle and the address lists, for competing
    rules)."""
    paths = {obj.path for service in site_plan.services for obj in service.objects}
    return {path: [dict(row) for row in client.print(path)]
            for path in sorted(paths | {NAT, MANGLE, ADDRESS_LIST})}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _canonical(obj: PlannedObject, api_name: str, value: Any, version: tuple[int, int, int],
               *, from_router: bool) -> str:
    schema = menu_schema(obj.menu).for_version(version)
    prop = next((p for p in schema.props if p.api_name == api_name), None)
    if prop is None:
        return _text(value)
    try:
        decoder = schema.decoders.get(prop.name) if from_router else None
        canonical = decoder(_text(value), version) if decoder else prop.normalise(value)
    except ValueError:
        return _text(value)
    return _text(canonical)


def _default(obj: PlannedObject, api_name: str, version: tuple[int, int, int]) -> Any:
    schema = menu_schema(obj.menu).for_version(version)
    prop = next((p for p in schema.props if p.api_name == api_name), None)
    return None if prop is None else prop.default


def _set_by_hand(obj: PlannedObject, props: Mapping[str, str], row: Mapping[str, Any],
                 version: tuple[int, int, int]) -> list[Change]:
    """Properties the plan leaves unset that the router holds at something other than their
    default (`to-ports=8080` added by hand to a managed rule), as refresh reports them. Values
    the router keeps by itself or a secret the program may not know are not drift."""
    changes = []
    for prop in menu_schema(obj.menu).for_version(version).props:
        name = prop.api_name
        if name in props or name in obj.runtime_owned or prop.kept_unless_declared:
            continue
        raw = row.get(name)
        if raw is None or (prop.default is None and _text(raw) == ""):
            continue
        actual = _canonical(obj, name, raw, version, from_router=True)
        default = (None if prop.default is None
                   else _canonical(obj, name, prop.default, version, from_router=False))
        if actual != default:
            changes.append(Change(name, actual, UNSET if default is None else default))
    return changes


def _find(obj: PlannedObject, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    for row in rows:
        if obj.tag is not None:
            if split_comment(_text(row.get("comment", "")))[1] == obj.tag:
                return row
        elif row.get("name") == obj.properties.get("name"):
            return row
    return None


def compare(site_plan: SitePlan, rows: Rows) -> SiteDiff:
    version = version_tuple(site_plan.version)
    diff = SiteDiff()
    planned_tags = set()
    for service in site_plan.services:
        found: dict[str, dict[str, Any]] = {}
        for obj in service.objects:
            props = stored_properties(obj)
            label = props.get("comment") or props.get("name", obj.key)
            planned_tags.add(obj.tag)
            row = _find(obj, list(rows.get(obj.path, [])))
            if row is None:
                diff.objects.append(ObjectState(obj.key, obj.path, label, "missing"))
                continue
            found[obj.key] = row
            changes = []
            for name, value in props.items():
                if name in obj.runtime_owned:
                    continue
                planned = _canonical(obj, name, value, version, from_router=False)
                raw = row.get(name, _default(obj, name, version))
                actual = None if raw is None else _canonical(obj, name, raw, version,
                                                             from_router=True)
                if actual != planned:
                    changes.append(Change(name, actual, planned))
            changes += _set_by_hand(obj, props, row, version)
            status = "differs" if changes else "same"
            diff.objects.append(ObjectState(obj.key, obj.path, label, status, tuple(changes),
                                            _text(row.get(".id", ""))))
        diff.order += _order_problems(service, found, rows)
        diff.competing += _competing(service, found, rows)
    prefix = f"{site_plan.site}/"
    for path, path_rows in rows.items():
        for row in path_rows:
            tag = split_comment(_text(row.get("comment", "")))[1]
            if tag and tag.startswith(prefix) and tag not in planned_tags:
                diff.extra.append((path, _text(row.get(".id", "")), _text(row.get("comment"))))
    return diff


def _order_problems(service: Any, found: dict[str, dict[str, Any]], rows: Rows) -> list[str]:
    problems = []
    by_key = {obj.key: obj for obj in service.objects}
    for order in service.orders:
        if any(key not in found for key in order.members):
            continue  # a missing member is reported as missing
        path = by_key[order.members[0]].path
        chain = [row for row in rows.get(path, []) if _text(row.get("chain")) == order.chain]
        ids = [_text(row.get(".id")) for row in chain]
        ours = [_text(found[key].get(".id")) for key in order.members]
        elsewhere = [id_ for id_ in ours if id_ not in ids]
        if elsewhere:
            problems.append(f"{order.chain}: {len(elsewhere)} of {service.service}'s rules are "
                            "in another chain")
            continue
        positions = [ids.index(id_) for id_ in ours]
        if positions != sorted(positions) or positions[-1] - positions[0] != len(ours) - 1:
            problems.append(f"{order.chain}: {service.service}'s rules are out of order")
            continue
        if order.position == "top" and order.chain in BUILT_IN_CHAINS:
            static_before = [row for row in chain[:positions[0]]
                             if not _is_true(row.get("dynamic"))]
            if static_before:
                problems.append(f"{order.chain}: {len(static_before)} rule(s) come before "
                                f"{service.service}'s entry rule, which belongs at the top")
    return problems


def _is_true(value: Any) -> bool:
    return _text(value).lower() in ("true", "yes")


def _ports(text: str) -> list[tuple[int, int]] | None:
    """The port ranges of `80,443`, `8000-8010`; None for none given, a negation or anything
    unreadable (taken to match any port)."""
    if not text or text.startswith("!"):
        return None
    out = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        if not first.isdigit() or not (last or first).isdigit():
            return None
        out.append((int(first), int(last or first)))
    return out


def _share_a_port(theirs: list[tuple[int, int]], ours: list[tuple[int, int]]) -> bool:
    return any(their_low <= our_high and our_low <= their_high
               for their_low, their_high in theirs for our_low, our_high in ours)


def _address_lists(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Each enabled address list's entries (addresses, networks, ranges)."""
    out: dict[str, list[str]] = {}
    for row in rows:
        if not _is_true(row.get("disabled")):
            out.setdefault(_text(row.get("list", "")), []).append(_text(row.get("address", "")))
    return out


def _covers(pattern: str, address: str) -> bool | None:
    """Whether `pattern` (an address, a network `a.b.c.d/n` or a range `a-b`) holds `address`;
    None when it cannot be read (a DNS name, an IPv6 pattern against an IPv4 address)."""
    try:
        target = ipaddress.ip_address(address)
        if "-" in pattern:
            first, _, last = pattern.partition("-")
            low, high = ipaddress.ip_address(first.strip()), ipaddress.ip_address(last.strip())
            if low.version != target.version or high.version != target.version:
                return None
            return int(low) <= int(target) <= int(high)
        network = ipaddress.ip_network(pattern.strip(), strict=False)
        if network.version != target.version:
            return None
        return target in network
    except ValueError:
        return None


def _matches_address(row: Mapping[str, Any], address: str, lists: Mapping[str, list[str]]) -> bool:
    """Whether the rule's destination matchers (`dst-address`, `dst-address-list`, either
    negated with `!`) can take packets for `address`. A matcher that cannot be read is taken to
    match: better a rule named that competes not than one missed that does."""
    pattern = _text(row.get("dst-address", ""))
    if pattern:
        negated = pattern.startswith("!")
        covered = _covers(pattern.lstrip("!"), address)
        if covered is not None and covered == negated:
            return False
    name = _text(row.get("dst-address-list", ""))
    if name:
        negated = name.startswith("!")
        entries = [_covers(entry, address) for entry in lists.get(name.lstrip("!"), [])]
        inside = any(entries) or (None in entries and not negated)
        if inside == negated:
            return False
    return True


def _overlaps(row: Mapping[str, Any], frontend: Mapping[str, str],
              lists: Mapping[str, list[str]]) -> bool:
    has_address = bool(_text(row.get("dst-address", "")) or _text(row.get("dst-address-list", "")))
    if has_address and frontend.get("dst-address") and not _matches_address(
            row, frontend["dst-address"], lists):
        return False
    interface = _text(row.get("in-interface", ""))
    if interface and frontend.get("in-interface") and interface != frontend["in-interface"]:
        return False
    protocol = _text(row.get("protocol", ""))
    if protocol and protocol != frontend.get("protocol"):
        return False
    theirs = _ports(_text(row.get("dst-port", "")))
    ours = _ports(frontend.get("dst-port", "")) or []
    if theirs is not None and not _share_a_port(theirs, ours):
        return False
    # A rule with no address, interface or port at all is a general rule, not a competitor.
    return bool(has_address or interface or theirs)


def _competing(service: Any, found: dict[str, dict[str, Any]], rows: Rows) -> list[Competing]:
    frontend = {key: _text(value)
                for key, value in dict(service.summary.get("frontend", {})).items()}
    lists = _address_lists(rows.get(ADDRESS_LIST, []))
    out = []
    for path, chain, actions, entry_key in ((NAT, "dstnat", COMPETING_NAT_ACTIONS, "nat-jump"),
                                            (MANGLE, "prerouting", COMPETING_MANGLE_ACTIONS,
                                             "mangle-jump")):
        chain_rows = [row for row in rows.get(path, []) if _text(row.get("chain")) == chain]
        entry = found.get(f"{service.service}/{entry_key}")
        entry_index = chain_rows.index(entry) if entry in chain_rows else None
        for index, row in enumerate(chain_rows):
            if split_comment(_text(row.get("comment", "")))[1] or _is_true(row.get("disabled")):
                continue
            if _text(row.get("action")) not in actions or not _overlaps(row, frontend, lists):
                continue
            shown = " ".join(f"{k}={_text(row[k])}" for k in
                             ("action", "dst-address", "dst-address-list", "dst-port", "protocol",
                              "to-addresses",
                              "new-connection-mark", "comment") if row.get(k) not in (None, ""))
            where = ("no-entry" if entry_index is None
                     else "before" if index < entry_index else "after")
            out.append(Competing(service.service, path, _text(row.get(".id")), shown, where))
    return out
