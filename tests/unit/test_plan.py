"""`plan(site, version)` alone: rule counts (the seed and the O(N) formula), RouterOS spellings and
matchers that exist on each table, ownership tags, keys, orders, runtime-owned properties, the
schedulers, script size."""

from __future__ import annotations

from collections import Counter

import pytest

from balancer.model import SitePlan
from balancer.plan import plan, rule_count
from balancer.spec import LbSite
from routeros_vocabulary.tags import TAG_PATTERN


def _lb_site(name: str, services: dict, notify: tuple | list = ()) -> LbSite:
    """The plan's input, validated by its own model (the balancer's contract)."""
    return LbSite.model_validate({"name": name, "services": services, "notify": list(notify)})


SEED_RULES_BY_HAND = 6  # tutorial: 2 PCC mangle rules, 2 dst-nat rules, 2 last-resort dst-nats
JUMPS = 2
# Matchers RouterOS has on each table (NAT has no connection-state).
MANGLE_PROPS = {"chain", "action", "jump-target", "connection-state", "protocol", "dst-port",
                "dst-address", "src-address", "in-interface", "per-connection-classifier",
                "new-connection-mark", "new-packet-mark", "passthrough", "comment"}
NAT_PROPS = {"chain", "action", "jump-target", "protocol", "dst-port", "dst-address",
             "src-address", "in-interface", "connection-mark", "packet-mark", "to-addresses",
             "to-ports", "disabled", "comment"}


def _site(servers: int, weights=lambda i: 1, name: str = "home", **service) -> SitePlan:
    spec = {"frontend": {"address": "203.0.113.2", "interface": "ether1", "ports": [80]},
            "servers": {f"s{i}": {"address": f"192.168.{1 + i // 200}.{10 + i % 200}",
                                  "weight": weights(i)} for i in range(servers)},
            **service}
    return _lb_site(name, {"web": spec}, ["admin@example.com"])


def _rules(site_plan: SitePlan) -> list:
    return [o for s in site_plan.services for o in s.objects if o.menu in ("mangle", "nat")]


@pytest.mark.parametrize("version", ["6.49", "7.20"])
def test_the_seed_needs_no_more_rules_than_the_tutorial_plus_two_jumps(version: str) -> None:
    seed = _lb_site("home", {"web": {
        "frontend": {"address": "203.0.113.2", "interface": "ether1", "ports": 80},
        "servers": {"pi132": {"address": "192.168.1.132"}, "pi134": {"address": "192.168.1.134"}},
    }}, ["admin@example.com"])
    rules = _rules(plan(seed, version))
    assert len(rules) <= SEED_RULES_BY_HAND + JUMPS
    assert len(rules) == 7  # 1 jump + 2 slots in mangle; 1 jump + 2 primaries + 1 failover
    menus = Counter(o.menu for s in plan(seed, version).services for o in s.objects)
    assert menus == {"mangle": 3, "nat": 4, "netwatch": 2, "script": 1, "scheduler": 2}


@pytest.mark.parametrize("servers", [1, 2, 3, 5, 8, 16, 33, 64])
def test_rules_follow_the_formula_and_stay_o_n(servers: int) -> None:
    site_plan = plan(_site(servers, weights=lambda i: 1 + i % 4), "7.20")
    service = site_plan.services[0]
    slots, groups = len(service.buckets.slots), len(service.buckets.groups)
    rules = _rules(site_plan)
    assert len(rules) == rule_count(servers, slots, groups) == slots + servers + 2 * groups + 1
    # D ≤ max(256, 8N), M ≤ 2N + 1: rules ≤ 256 + 13N; objects add N netwatch, 1 script, 2.
    assert len(rules) <= 256 + 13 * servers
    assert len(service.objects) == len(rules) + servers + 3


def test_sixteen_servers_count() -> None:
    service = plan(_site(16), "7.20").services[0]
    assert (len(service.buckets.slots), len(service.buckets.groups)) == (64, 33)
    assert len(_rules(plan(_site(16), "7.20"))) == 64 + 16 + 2 * 33 + 1 == 147


@pytest.mark.parametrize("version", ["6.49", "7.20"])
def test_every_object_passes_the_providers_check_for_its_menu_and_version(version: str) -> None:
    """What the component will hand the providers: each object validates against the provider
    schema of its menu on that version (the providers check what RouterOS takes: `to-ports`
    only with a protocol, no `connection-state` in NAT, v7-only netwatch fields)."""
    from providers.schemas import menu

    numbers = tuple(int(part) for part in version.split(".")) + (0,)
    sites = [_site(2), _site(5, hairpin=["192.168.1.0/24"]),
             _lb_site("home", {"web": {
                 "frontend": {"address": "203.0.113.2", "ports": "80,443", "protocol": "udp"},
                 "servers": {"a": {"address": "192.168.1.2", "port": 8080},
                             "b": {"address": "192.168.1.3", "port": 8081, "weight": 3},
                             "c": {"address": "192.168.1.4", "port": "8082"}},
                 "health": {"type": "icmp", "interval": "30s"}}})]
    for site in sites:
        for obj in (o for s in plan(site, version).services for o in s.objects):
            schema = menu(obj.menu).for_version(numbers)  # type: ignore[arg-type]
            python_names = {prop.api_name: prop.name for prop in schema.props}
            props = {python_names.get(k, k): v for k, v in obj.properties.items()}
            _values, issues = schema.validate(props)
            assert issues == [], (obj.key, issues)
            assert schema.unsupported(list(props), numbers) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("version", ["6.49", "7.20"])
def test_properties_are_routeros_spellings_that_exist_on_their_table(version: str) -> None:
    site_plan = plan(_site(5, hairpin=["192.168.1.0/24"]), version)
    for obj in _rules(site_plan):
        allowed = MANGLE_PROPS if obj.menu == "mangle" else NAT_PROPS
        assert set(obj.properties) <= allowed, (obj.key, set(obj.properties) - allowed)
        assert all(isinstance(v, str) and v for v in obj.properties.values())
    for obj in (o for s in site_plan.services for o in s.objects):
        assert all("_" not in name for name in obj.properties)


def test_only_new_connections_to_the_frontend_are_sent_into_the_chains() -> None:
    objects = {o.key: o for o in plan(_site(3), "7.20").services[0].objects}
    mangle = objects["web/mangle-jump"].properties
    nat = objects["web/nat-jump"].properties
    assert mangle["connection-state"] == "new"
    assert "connection-state" not in nat  # NAT sees first packets only, and has no such matcher
    for jump in (mangle, nat):
        assert (jump["dst-address"], jump["in-interface"], jump["dst-port"], jump["protocol"]) \
            == ("203.0.113.2", "ether1", "80", "tcp")


def test_every_connection_entering_the_nat_chain_leaves_it_dst_natted() -> None:
    """The all-down proof on the plan: the chain's last rule matches anything and dst-nats to a
    server address, and no rule in the chain is anything but a dst-nat to a server."""
    service = plan(_site(5), "7.20").services[0]
    chain = [o for o in service.objects if o.menu == "nat" and o.properties["chain"] == "lb-web"]
    addresses = {f"192.168.1.{10 + i}" for i in range(5)}
    assert all(o.properties["action"] == "dst-nat" for o in chain)
    assert all(o.properties["to-addresses"] in addresses for o in chain)
    last = chain[-1].properties
    assert set(last) == {"chain", "action", "protocol", "to-addresses", "comment"}
    assert "disabled" not in chain[-1].runtime_owned


def test_tags_keys_orders_and_dependencies_hang_together() -> None:
    site_plan = plan(_site(16, hairpin=["192.168.1.0/24"]), "7.20")
    service = site_plan.services[0]
    keys = [o.key for o in service.objects]
    assert len(set(keys)) == len(keys)
    tags = [o.tag for o in service.objects if o.tag]
    assert len(tags) == len(service.objects)
    assert len(set(tags)) == len(tags)
    assert all(TAG_PATTERN.match(tag) and tag.startswith("home/web/") for tag in tags)
    for obj in service.objects:
        assert obj.tag is not None  # scripts and schedulers too: an interrupted create is adopted
        assert all(keys.index(dep) < keys.index(obj.key) for dep in obj.depends_on)
    by_key = {o.key: o for o in service.objects}
    for order in service.orders:
        for member in order.members:
            assert by_key[member].menu == order.menu
            assert by_key[member].properties["chain"] == order.chain
    nat_chain = next(o for o in service.orders if o.menu == "nat" and o.chain == "lb-web")
    roles = [m.split("/")[1].split("-")[0] for m in nat_chain.members]
    assert roles == ["primary"] * 16 + ["failover"] * 33  # primaries first


def test_runtime_owned_properties() -> None:
    objects = plan(_site(3), "7.20").services[0].objects
    owned = {o.key.split("/")[1].split("-")[0]: o.runtime_owned for o in objects if o.runtime_owned}
    assert owned == {"primary": ("disabled",), "failover": ("to-addresses",)}


def test_long_names_get_tags_of_at_most_64_characters_that_stay_apart() -> None:
    site = _lb_site("a-very-long-site-name-24", {"service-name-of-24-chars": {
        "frontend": {"address": "203.0.113.2", "ports": 80},
        "servers": {"server-name-of-24-char-a": {"address": "192.168.1.2"},
                    "server-name-of-24-char-b": {"address": "192.168.1.3"}}}})
    tags = [o.tag for o in plan(site, "7.20").services[0].objects if o.tag]
    assert all(len(tag) <= 64 and TAG_PATTERN.match(tag) for tag in tags)
    assert len(set(tags)) == len(tags)
    assert plan(site, "7.20") == plan(site, "7.20")  # stable: the same names every run


def test_schedulers_startup_with_interval_zero_and_a_separate_periodic_resync() -> None:
    objects = {o.key: o for o in plan(_site(2), "6.49").services[0].objects}
    boot, resync = objects["web/boot"].properties, objects["web/resync"].properties
    assert (boot["start-time"], boot["interval"]) == ("startup", "0s")
    assert resync["start-time"] != "startup"
    assert resync["interval"] == "1m"
    assert boot["on-event"] == resync["on-event"] == objects["web/sync"].properties["name"]
    policies = {"read", "write", "test", "reboot"}  # what netwatch runs its scripts with
    for key in ("web/boot", "web/resync", "web/sync"):
        assert set(objects[key].properties["policy"].split(",")) <= policies


def test_the_sync_script_is_o_n_and_its_size_for_64_servers() -> None:
    sizes = {n: len(plan(_site(n), "7.20").services[0].sync_script) for n in (8, 16, 32, 64)}
    per_server = [(sizes[b] - sizes[a]) / (b - a) for a, b in ((8, 16), (16, 32), (32, 64))]
    assert max(per_server) <= 1.2 * min(per_server)  # linear in N, not quadratic
    assert sizes[64] <= 106_000  # measured 103 853 bytes (names like s12, no ports)


def test_the_plan_does_not_depend_on_the_order_servers_are_written_in() -> None:
    servers = {f"s{i}": {"address": f"192.168.1.{10 + i}", "weight": 1 + i % 3} for i in range(7)}
    frontend = {"address": "203.0.113.2", "ports": 80}
    forward = _lb_site("home", {"web": {"frontend": frontend, "servers": servers}})
    backward = _lb_site("home", {"web": {"frontend": frontend,
                                              "servers": dict(reversed(servers.items()))}})
    assert plan(forward, "7.20") == plan(backward, "7.20")
