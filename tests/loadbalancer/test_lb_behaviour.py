"""What clients see after `up`, in the simulator's data plane: home (the seed's two Pis, RouterOS
6.49) and staging (four servers weighted 1, 1, 2, 4, TCP checks, hairpin; RouterOS 7.20).

One deployment per stack is shared by the module's tests; each test starts from every server up,
settled, with an empty outbox (`fresh`), and uses its own client source ports, so none depends on
another. Properties (docs/architecture.md): 1 share, 2 stickiness, 3 one server fails,
4 any number fail, 6 cost, 7 level-triggered (reboot, redeploy while a server is down).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from simulator.addresses import interface_address
from tests.loadbalancer.harness import (
    CONNECTIONS,
    NAT,
    ApiWrites,
    Deployment,
    by_hand,
    connect,
    expected_servers,
    random_clients,
    servers,
    stack_router,
)

SETTLE = 60  # virtual seconds: every probe reports (v7 start-delay, interval), syncs have run
CLIENTS = 1000  # per failure scenario: each server holds 100+ of them
_ports = itertools.count(20000)

# Staging's router: the public address on ether1, the servers' LAN on the bridge.
STAGING_ADDRESSES = (interface_address("ether1", "198.51.100.10/24"),
                     interface_address("bridge", "10.20.1.1/24"))


@pytest.fixture(scope="module", params=["home", "staging"], ids=["home-6.49", "staging-7.20"])
def deployed(request: pytest.FixtureRequest) -> Iterator[Deployment]:
    with stack_router(request.param) as sim:
        if request.param == "staging":
            sim.behaviour.addresses.entries = STAGING_ADDRESSES
        deployment = Deployment(request.param, sim)
        deployment.up()
        yield deployment
        assert deployment.leaks() == []


@pytest.fixture
def lb(deployed: Deployment) -> Deployment:
    """The module's deployment with every server up and settled, nobody told anything, and no
    connection of an earlier test still tracked (the sync script's conntrack clean-up scans them
    all, and a day's TCP timeout is too long to wait for on the virtual clock)."""
    with deployed.sim.router.lock:
        deployed.sim.behaviour.conntrack.clear()
    for address in addresses(deployed).values():
        deployed.sim.set_host(address, up=True)
    deployed.sim.advance(SETTLE)
    assert all(rule_enabled(deployed, name) for name in addresses(deployed))
    deployed.sim.outbox.clear()
    return deployed


def addresses(deployment: Deployment) -> dict[str, str]:
    return {name: s["address"] for name, s in deployment.service()["servers"].items()}


def weights(deployment: Deployment) -> dict[str, int]:
    return {name: int(s.get("weight", 1)) for name, s in deployment.service()["servers"].items()}


def frontend(deployment: Deployment) -> tuple[str, int]:
    spec = deployment.service()["frontend"]
    return spec["address"], int(str(spec["ports"][0]).split(",")[0])


def recipients(deployment: Deployment) -> list[str]:
    to = deployment.config["routeros-lb:email"]["to"]
    return [to] if isinstance(to, str) else list(to)


def reach(deployment: Deployment, clients: list[str], **kwargs: Any) -> dict[str, Any]:
    address, port = frontend(deployment)
    return connect(deployment.sim, clients, address, port, next(_ports), **kwargs)


def rule_enabled(deployment: Deployment, server: str) -> bool:
    tag = next(obj.tag for obj in deployment.service_plan().objects
               if obj.key == f"web/primary-{server}")
    item = next(item for item in deployment.sim.router.menus[NAT].items
                if item.props.get("comment", "").endswith(f"[lb:{tag}]"))
    return item.props.get("disabled") != "true"


def fail(deployment: Deployment, *names: str, up: bool = False) -> None:
    for name in names:
        deployment.sim.set_host(addresses(deployment)[name], up=up)
    deployment.sim.advance(SETTLE)


def owners(results: dict[str, Any], by_address: dict[str, str]) -> dict[str, str]:
    """client → the server name it reached."""
    name_of = {address: name for name, address in by_address.items()}
    return {client: name_of.get(server, server) for client, server in servers(results).items()}


def test_ten_thousand_clients_split_by_weight_and_stick(lb: Deployment) -> None:
    clients = random_clients(10_000, seed=1)
    first = owners(reach(lb, clients), addresses(lb))
    total = sum(weights(lb).values())
    shares = Counter(first.values())
    for name, weight in weights(lb).items():
        assert abs(shares[name] / len(clients) - weight / total) <= 0.05, (name, shares)
    # The bucket table says the same, client by client.
    address, port = frontend(lb)
    wanted = expected_servers(lb.service_plan(), addresses(lb), clients[:2000], addresses(lb),
                              address, port, 0)
    assert {c: addresses(lb)[first[c]] for c in clients[:2000]} == wanted
    # Stickiness: new connections from other ports reach the same server, every time.
    for _ in range(2):
        again = owners(reach(lb, clients[:2000]), addresses(lb))
        assert again == {c: first[c] for c in clients[:2000]}


def test_one_server_failing_moves_only_its_clients_fairly_and_mails_once(lb: Deployment) -> None:
    clients = random_clients(CLIENTS, seed=2)
    before = owners(reach(lb, clients), addresses(lb))
    victim = min(weights(lb), key=lambda name: (weights(lb)[name], name))
    victim_address = addresses(lb)[victim]
    conntrack = lb.sim.router.menus[CONNECTIONS].items
    assert any(item.props["reply-src-address"].startswith(f"{victim_address}:")
               for item in conntrack)

    fail(lb, victim)
    assert not rule_enabled(lb, victim)
    # Its conntrack entries are gone (its clients reconnect through failover); others stay.
    left = [item.props["reply-src-address"] for item in lb.sim.router.menus[CONNECTIONS].items]
    assert not any(address.startswith(f"{victim_address}:") for address in left)
    assert any(not address.startswith(f"{victim_address}:") for address in left)
    # One e-mail to each of the service's recipients, naming the server.
    assert sorted(mail.to for mail in lb.sim.outbox) == sorted(recipients(lb))
    assert all(victim in mail.body and "down" in mail.body for mail in lb.sim.outbox)

    after = owners(reach(lb, clients), addresses(lb))
    moved = {c for c in clients if after[c] != before[c]}
    assert moved == {c for c in clients if before[c] == victim}
    # Property 3: no survivor takes more than twice its weight-fair share of them.
    survivors = {name: w for name, w in weights(lb).items() if name != victim}
    took = Counter(after[c] for c in moved)
    for name, weight in survivors.items():
        fair = len(moved) * weight / sum(survivors.values())
        assert took[name] <= 2 * fair, (name, took, fair)

    # Failing again while down: nothing changes, nobody is told again (netwatch and resyncs run).
    lb.sim.outbox.clear()
    fail(lb, victim)
    lb.sim.advance(3 * SETTLE)
    assert lb.sim.outbox == []
    assert owners(reach(lb, clients), addresses(lb)) == after

    # Recovery: every client back on its original server, one e-mail.
    fail(lb, victim, up=True)
    assert rule_enabled(lb, victim)
    assert sorted(mail.to for mail in lb.sim.outbox) == sorted(recipients(lb))
    assert all(victim in mail.body and "up" in mail.body for mail in lb.sim.outbox)
    assert owners(reach(lb, clients), addresses(lb)) == before


def test_two_down_still_serves_everyone_and_all_down_never_reaches_the_router(
        lb: Deployment) -> None:
    clients = random_clients(CLIENTS // 2, seed=3)
    names = sorted(addresses(lb), key=lambda name: (weights(lb)[name], name))
    down = names[:2] if len(names) > 2 else names[:1]
    fail(lb, *down)
    results = reach(lb, clients)
    alive = {addresses(lb)[name] for name in names if name not in down}
    assert set(servers(results).values()) <= alive
    assert all(result.reachable for result in results.values())

    # All down (documented, balancer/scripts.py): still dst-natted to a (dead) server address, so
    # unanswered, and never to the router's own services on the frontend address.
    fail(lb, *names)
    results = reach(lb, clients)
    assert not any(result.to_router for result in results.values())
    assert not any(result.reachable for result in results.values())
    assert set(servers(results).values()) <= set(addresses(lb).values())


def test_a_reboot_while_a_server_is_down_does_not_re_enable_it(lb: Deployment) -> None:
    victim = sorted(addresses(lb))[0]
    fail(lb, victim)
    lb.sim.outbox.clear()
    lb.sim.reboot()
    lb.sim.advance(5)  # the boot scheduler's sync ran; v7's netwatch still waits (unknown)
    assert not rule_enabled(lb, victim)
    clients = random_clients(200, seed=4)
    assert victim not in owners(reach(lb, clients), addresses(lb)).values()
    lb.sim.advance(400)  # past v7's startup-delay: netwatch says down again
    assert not rule_enabled(lb, victim)
    assert lb.sim.outbox == []  # nothing changed state, nobody is told
    # An up without a refresh finds everything under its tags: nothing to do.
    assert set(lb.up().values()) == {"same"}
    # After a refresh the ids are new, and they are part of the sync run's trigger: the next up
    # runs the sync script once (harmless: level-triggered) and writes nothing else.
    assert {name for name, changed in lb.refresh().items() if changed == ("gone",)} == set()
    with ApiWrites(lb.sim) as writes:
        steps = lb.up()
    assert {name: op for name, op in steps.items() if op != "same"} == {"web/run-sync": "update"}
    assert set(writes.by_verb()) == {"run"}
    assert not rule_enabled(lb, victim)
    assert lb.sim.outbox == []


def test_an_up_while_a_server_is_down_does_not_re_enable_it(lb: Deployment) -> None:
    victim = sorted(addresses(lb))[0]
    fail(lb, victim)
    lb.sim.outbox.clear()
    original = lb.edited()
    changed = lb.edited()
    changed["routeros-lb:services"]["web"]["health"]["interval"] = "20s"
    try:
        steps = lb.up(changed)
        assert "update" in steps.values()
        assert steps["web/run-sync"] == "update"  # the sync script ran with the server down
        assert not rule_enabled(lb, victim)
        lb.sim.advance(SETTLE)
        assert not rule_enabled(lb, victim)
        clients = random_clients(200, seed=6)
        assert victim not in owners(reach(lb, clients), addresses(lb)).values()
        assert lb.sim.outbox == []
    finally:
        lb.up(original)


def test_a_first_packet_meets_few_of_our_rules(lb: Deployment) -> None:
    """Property 6: a connection not for the service meets 1 rule of ours per table (the jump, or
    the hairpin masquerade); one for the service O(N): the slot and group rules, its primary and
    the failover rules before it."""
    service = lb.service_plan()
    slots, groups = len(service.buckets.slots), len(service.buckets.groups)
    servers_count = len(addresses(lb))
    ours = {path: {obj.tag for obj in service.objects if obj.path == path}
            for path in ("/ip/firewall/mangle", NAT)}
    dynamic = {path: sum(1 for item in lb.sim.router.menus[path].items if item.dynamic)
               for path in ours}

    other = lb.sim.open_connection("198.18.0.7", 5555, "192.0.2.80", 80)
    assert other.evaluated["mangle"] - dynamic["/ip/firewall/mangle"] == 1
    assert other.evaluated["dstnat"] == 1
    assert other.evaluated["srcnat"] <= 1 + dynamic[NAT]
    served = next(iter(reach(lb, ["198.18.0.9"]).values()))
    assert served.evaluated["mangle"] - dynamic["/ip/firewall/mangle"] <= 1 + slots + groups - 1
    assert served.evaluated["dstnat"] <= 1 + servers_count + groups
    assert served.unsupported == ()
    assert other.unsupported == ()


def test_hairpin_lan_clients_reach_the_service_by_its_public_address(lb: Deployment) -> None:
    """Staging declares hairpin for its LAN; home does not (its frontend is ether1's), so there
    a LAN client's connection to the public address is left alone by the load balancer."""
    hairpin = lb.service().get("hairpin")
    if not hairpin:
        lan = [f"192.168.1.{i}" for i in range(50, 60)]
        for client, result in reach(lb, lan, in_interface="bridge").items():
            assert result.to_router, client
            assert result.connection_mark is None, client
        return
    lan_clients = [f"10.20.1.{i}" for i in range(50, 90)]
    results = reach(lb, lan_clients, in_interface="bridge")
    for client, result in results.items():
        assert result.destination.address in addresses(lb).values(), client
        # The server answers the router, which answers the client: the reply comes back through it.
        assert result.source.address == "10.20.1.1", client
    assert len({r.destination.address for r in results.values()}) > 1
    with by_hand(lb.sim) as api:
        masquerades = [rule for rule in api.path(NAT) if rule.get("chain") == "srcnat"
                       and "[lb:" in rule.get("comment", "")]
    assert [rule["src-address"] for rule in masquerades] == hairpin
