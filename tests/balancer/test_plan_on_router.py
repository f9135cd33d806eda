"""A plan on a simulated router (6.49 and 7.20), over librouteros: the generated scripts parse and
run, the sync script makes the NAT rules follow netwatch, and traffic goes where the bucket table
says (the simulator's PCC hash, `hash mod D` and `hash mod M`, is the model)."""

from __future__ import annotations

import pytest

from balancer.buckets import server_of
from balancer.model import ServicePlan
from balancer.plan import plan
from balancer.spec import LbSite
from simulator.pcc import pcc_hash
from tests.balancer.plan_loader import assert_orders, by_comment, load_plan, stored_properties


def _lb_site(name: str, services: dict, notify: tuple | list = ()) -> LbSite:
    """The plan's input, validated by its own model (the balancer's contract)."""
    return LbSite.model_validate({"name": name, "services": services, "notify": list(notify)})


FRONTEND = "203.0.113.2"  # the simulated router's own address on ether1
ADMIN = "admin@example.com"


def _site(servers: dict[str, dict], ports: object = 80, **service: object):
    spec = {"frontend": {"address": FRONTEND, "interface": "ether1", "ports": ports},
            "servers": servers, **service}
    return _lb_site("lab", {"web": spec}, [ADMIN])


SEED = {"pi132": {"address": "192.168.1.132"}, "pi134": {"address": "192.168.1.134"}}
FIVE = {name: {"address": f"192.168.1.{10 + i}", "port": 8080 + i, "weight": weight}
        for i, (name, weight) in enumerate(zip("abcde", (1, 1, 2, 3, 1), strict=True))}
SIXTEEN = {f"s{i:02d}": {"address": f"192.168.1.{100 + i}", "weight": 1 + i % 4}
           for i in range(16)}
SHAPES = {"seed": (SEED, 80), "five-weighted-ports": (FIVE, "80,443"), "sixteen": (SIXTEEN, 80)}


class Lab:
    """A simulator with one service's plan loaded and e-mail configured."""

    def __init__(self, sim, api_connect, servers: dict[str, dict], ports: object) -> None:
        self.sim = sim
        self.api_connect = api_connect
        self.api = api_connect(sim)
        self.site = _site(servers, ports)
        self.plan: ServicePlan = plan(self.site, sim.version).services[0]
        self.spec = self.site.services["web"]
        self.ids = load_plan(self.api, plan(self.site, sim.version))
        tls = {"tls": "starttls"} if sim.profile.is_v7 else {"start-tls": "yes"}
        list(self.api("/tool/e-mail/set", **{sim.profile.email_server_key: "192.0.2.25",
                                             "from": "router@example.com", **tls}))
        self.port = 40000

    def settle(self) -> None:
        """Long enough for every netwatch entry to probe (v7 start-delay 3s, interval 10s)."""
        self.sim.advance(11)

    def set_up(self, up: set[str]) -> None:
        for name, server in self.spec.servers.items():
            self.sim.set_host(server.address, up=name in up)

    def nat(self) -> dict[str, dict]:
        return by_comment(self.api.path("ip", "firewall", "nat"))

    def comment(self, key: str) -> str:
        obj = next(o for o in self.plan.objects if o.key == key)
        return stored_properties(obj)["comment"]

    def target(self, name: str) -> str:
        return self.spec.servers[name].address

    def assert_state(self, up: set[str], remembered_down: set[str] = frozenset()) -> None:
        """Primaries enabled exactly for the up servers; each failover rule at the first up
        server of its group, else of the fallback; with none up, at some server."""
        nat = self.nat()
        alive = up - remembered_down
        for name in self.spec.servers:
            rule = nat[self.comment(f"web/primary-{name}")]
            assert rule["disabled"] is (name not in alive), name
        addresses = {s.address for s in self.spec.servers.values()}
        for j, preferences in enumerate(self.plan.buckets.groups):
            rule = nat[self.comment(f"web/failover-{j}")]
            wanted = next((p for p in (*preferences, *self.plan.buckets.fallback) if p in alive),
                          None)
            if wanted is None:
                assert rule["to-addresses"] in addresses  # all down: still a server
            else:
                assert rule["to-addresses"] == self.target(wanted), j
                if "to-ports" in rule:
                    assert str(rule["to-ports"]) == str(self.spec.servers[wanted].port)

    def assert_traffic(self, up: set[str], clients: int = 120) -> None:
        self.port += 1
        table = self.plan.buckets
        slots, groups = len(table.slots), len(table.groups)
        for i in range(clients):
            src = f"198.51.{100 + i // 250}.{1 + i % 250}"
            result = self.sim.open_connection(src, self.port, FRONTEND, 80)
            assert result.new
            assert not result.to_router  # the router's own services are never the destination
            h = pcc_hash(self.spec.classifier, src, self.port, FRONTEND, 80)
            wanted = server_of(table, up, h % slots, h % groups)
            if wanted is None:
                assert not result.reachable
                continue
            assert result.destination.address == self.target(wanted)
            assert result.reachable
            assert result.rules_evaluated <= 2 + slots + 2 * groups + len(self.spec.servers)


# Both versions for the seed and the weighted five; sixteen servers once (7.20), for time.
LABS = [("seed", "6.49"), ("seed", "7.20"), ("five-weighted-ports", "6.49"),
        ("five-weighted-ports", "7.20"), ("sixteen", "7.20")]


@pytest.fixture(params=LABS, ids=["-".join(p) for p in LABS])
def lab(request, simulator_factory, api_connect) -> Lab:
    shape, version = request.param
    servers, ports = SHAPES[shape]
    lab = Lab(simulator_factory(version=version), api_connect, servers, ports)
    lab.settle()
    return lab


def test_the_plan_loads_in_order_and_every_server_starts_up(lab: Lab) -> None:
    assert_orders(lab.api, lab.plan, lab.ids)
    everyone = set(lab.spec.servers)
    lab.assert_state(everyone)
    lab.assert_traffic(everyone)
    assert lab.sim.outbox == []  # no rule changed state: nothing to tell
    assert not [line for line in lab.sim.log if "error" in line["topics"]]


def test_6_other_traffic_meets_one_rule_of_ours_per_table(lab: Lab) -> None:
    for dst, port in ((FRONTEND, 22), ("192.0.2.7", 80), (FRONTEND, 8291)):
        result = lab.sim.open_connection("198.51.100.77", 42000, dst, port)
        assert result.evaluated["mangle"] == 1
        assert result.evaluated["dstnat"] == 1
    service = lab.sim.open_connection("198.51.100.77", 42001, FRONTEND, 80)
    d, m, n = len(lab.plan.buckets.slots), len(lab.plan.buckets.groups), len(lab.spec.servers)
    assert service.evaluated["mangle"] == 1 + d + m - 1  # every rule of the chain: passthrough
    assert service.evaluated["dstnat"] <= 1 + n + m


def test_failures_and_recovery_follow_netwatch_and_mail_once_per_change(lab: Lab) -> None:
    names = sorted(lab.spec.servers)
    everyone = set(names)
    first_choices = {group[0] for group in lab.plan.buckets.groups}
    for down in ({names[0]}, {names[0], next(iter(sorted(first_choices - {names[0]})), names[-1])},
                 set()):
        up = everyone - down
        lab.set_up(up)
        lab.settle()
        lab.assert_state(up)
        lab.assert_traffic(up)
    bodies = " ".join(mail.body for mail in lab.sim.outbox)
    changes = [name for name in names if f"{name} (" in bodies]
    assert changes  # something was said ...
    for name in changes:  # ... and each change once: down once, up once
        assert bodies.count(f"{name} ({lab.target(name)}) is down") == 1
        assert bodies.count(f"{name} ({lab.target(name)}) is up") == 1
    assert {mail.to for mail in lab.sim.outbox} == {ADMIN}


def test_all_down_keeps_the_frontend_off_the_router(lab: Lab) -> None:
    lab.set_up(set())
    lab.settle()
    lab.assert_state(set())
    lab.assert_traffic(set())
    # The router's services (webfig on 80) stay unreachable on the frontend: every connection
    # was dst-natted to a server address.
    result = lab.sim.open_connection("198.51.100.250", 50001, FRONTEND, 80)
    assert not result.to_router
    assert result.destination.address in {s.address for s in lab.spec.servers.values()}


def test_unknown_keeps_the_state_and_a_resync_undoes_a_hand_edit(lab: Lab) -> None:
    dead = sorted(lab.spec.servers)[0]
    everyone = set(lab.spec.servers)
    lab.set_up(everyone - {dead})
    lab.settle()
    # An edit makes netwatch `unknown` until its next probe; the sync keeps the dead one off.
    watch = lab.ids[f"web/watch-{dead}"]
    lab.api.path("tool", "netwatch").update(**{".id": watch, "interval": "11s"})
    assert next(w for w in lab.api.path("tool", "netwatch") if w[".id"] == watch)["status"] \
        == "unknown"
    list(lab.api("/system/script/run", **{".id": "lb-web-sync"}))
    lab.assert_state(everyone - {dead})
    # Someone enables the dead server's primary by hand: the periodic resync puts it back.
    primary = lab.ids[f"web/primary-{dead}"]
    lab.api.path("ip", "firewall", "nat").update(**{".id": primary, "disabled": "no"})
    lab.sim.advance(61)
    lab.assert_state(everyone - {dead})


def test_after_a_reboot_the_state_survives_the_startup_delay(sim_any_version, api_connect):
    lab = Lab(sim_any_version, api_connect, FIVE, "80,443")
    lab.settle()
    dead = "c"
    lab.set_up(set(FIVE) - {dead})
    lab.settle()
    lab.sim.outbox.clear()
    lab.sim.reboot()  # v7: netwatch unknown for 5 minutes; the boot scheduler runs sync at 3 s
    lab.sim.advance(4)
    lab.api = api_connect(lab.sim)
    assert "lb-web-boot" in {e["name"] for e in lab.api.path("system", "scheduler")
                             if int(e["run-count"]) >= 1}
    lab.assert_state(set(FIVE) - {dead})
    lab.assert_traffic(set(FIVE) - {dead})
    lab.sim.advance(300)
    lab.assert_state(set(FIVE) - {dead})
    assert lab.sim.outbox == []  # nothing changed state across the reboot


@pytest.mark.parametrize("version", ["6.49", "7.20"])
def test_hairpin_lan_clients_reach_the_service_by_its_public_address(
    version, simulator_factory, api_connect
) -> None:
    sim = simulator_factory(version=version)
    site = _lb_site("lab", {"web": {
        "frontend": {"address": FRONTEND, "interface": "ether1", "ports": 80},
        "servers": SEED, "hairpin": "192.168.1.0/24"}})
    load_plan(api_connect(sim), plan(site, version))
    sim.advance(11)
    servers = {s["address"] for s in SEED.values()}
    for i in range(20):
        result = sim.open_connection(f"192.168.1.{50 + i}", 41000, FRONTEND, 80,
                                     in_interface="bridge")
        assert result.destination.address in servers
        assert result.source.address == "192.168.1.1"  # masqueraded: replies come back via NAT
    outside = sim.open_connection("198.51.100.9", 41000, FRONTEND, 80)
    assert outside.destination.address in servers
    assert outside.source.address == "198.51.100.9"  # internet clients keep their address


SIX = {f"n{i}": {"address": f"192.168.1.{40 + i}", "weight": 1 + i % 3} for i in range(6)}


@pytest.mark.parametrize("version", ["6.49", "7.20"])
def test_any_set_of_failures_leaves_the_rules_the_table_says(
    version, simulator_factory, api_connect
) -> None:
    """Hypothesis draws sequences of up-sets; after each, netwatch runs the sync script."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    lab = Lab(simulator_factory(version=version), api_connect, SIX, 80)
    lab.settle()

    @settings(max_examples=12)
    @given(st.lists(st.sets(st.sampled_from(sorted(SIX))), min_size=1, max_size=3))
    def check(up_sets: list[set[str]]) -> None:
        for up in up_sets:
            lab.set_up(up)
            lab.settle()
            lab.assert_state(up)
            lab.assert_traffic(up, clients=30)

    check()
