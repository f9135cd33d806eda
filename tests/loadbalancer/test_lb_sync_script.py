"""The sync script as a router runs it, on a simulated 6.49 and 7.20 over librouteros: quiet
resyncs write nothing, a failed server's conntrack flush spares other connections to its host,
each recipient gets the mail on their own, and two runs interleaved leave the rules as one run."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from balancer.plan import plan
from balancer.spec import LbSite
from tests.balancer.plan_loader import load_plan
from tests.balancer.test_plan_on_router import ADMIN, FIVE, FRONTEND, SEED, Lab

CONNECTIONS = "/ip/firewall/connection"
# Commands that change the configuration (conntrack entries are not configuration).
CONFIG_WRITES = frozenset({"add", "set", "unset", "remove", "enable", "disable", "move",
                           "comment"})


def _lb_site(name: str, services: dict, notify: list[str]) -> LbSite:
    return LbSite.model_validate({"name": name, "services": services, "notify": notify})


def config_writes(stats: Counter[str]) -> int:
    return sum(n for command, n in stats.items()
               if command.rsplit("/", 1)[-1] in CONFIG_WRITES
               and not command.startswith(CONNECTIONS + "/"))


def _resync_runs(lab: Lab) -> int:
    return next(int(e["run-count"]) for e in lab.api.path("system", "scheduler")
                if e["name"] == "lb-web-resync")


@pytest.mark.parametrize("version", ["6.49", "7.20"])
@pytest.mark.parametrize("shape", ["seed", "five-weighted-ports"])
def test_an_hour_of_quiet_resyncs_writes_nothing(
    shape, version, simulator_factory, api_connect
) -> None:
    servers, ports = {"seed": (SEED, 80), "five-weighted-ports": (FIVE, "80,443")}[shape]
    lab = Lab(simulator_factory(version=version), api_connect, servers, ports)
    dead = sorted(servers)[0]  # failover rules away from their first choice: a real comparison
    lab.set_up(set(servers) - {dead})
    lab.settle()
    lab.assert_state(set(servers) - {dead})
    runs, before = _resync_runs(lab), Counter(lab.sim.stats)
    lab.sim.advance(3600)
    assert _resync_runs(lab) - runs >= 60
    assert config_writes(lab.sim.stats - before) == 0
    lab.assert_state(set(servers) - {dead})
    # The count sees a write: a failover rule edited by hand is put back with exactly one.
    failover = lab.ids["web/failover-0"]
    lab.api.path("ip", "firewall", "nat").update(**{".id": failover, "to-addresses": "10.9.9.9"})
    before = Counter(lab.sim.stats)
    lab.sim.advance(61)
    assert config_writes(lab.sim.stats - before) == 1
    lab.assert_state(set(servers) - {dead})


def _two_services_on_the_same_hosts(sim, api_connect):
    """`web` (port 80) and `ssh` (port 22) on the same two hosts, each probing its own port."""
    services = {
        name: {"frontend": {"address": FRONTEND, "interface": "ether1", "ports": port},
               "servers": SEED, "health": {"type": "tcp", "port": port}}
        for name, port in (("web", 80), ("ssh", 22))
    }
    site = _lb_site("lab", services, [ADMIN])
    api = api_connect(sim)
    load_plan(api, plan(site, sim.version))
    sim.advance(11)
    return api


def test_a_failed_servers_flush_spares_other_connections_to_its_host(
    simulator_factory, api_connect
) -> None:
    sim = simulator_factory(version="7.20")
    api = _two_services_on_the_same_hosts(sim, api_connect)
    host = SEED["pi132"]["address"]
    web = [sim.open_connection(f"198.51.100.{i}", 41000, FRONTEND, 80) for i in range(1, 40)]
    ssh = [sim.open_connection(f"198.51.100.{i}", 41001, FRONTEND, 22) for i in range(1, 40)]
    direct = sim.open_connection("198.51.100.200", 41002, host, 22)  # no load balancer's
    assert {r.destination.address for r in web} == {r.destination.address for r in ssh} \
        == {s["address"] for s in SEED.values()}

    def to_host() -> Counter[tuple[str, str]]:
        return Counter((e.get("connection-mark", ""), e["reply-src-address"])
                       for e in api.path(*CONNECTIONS.strip("/").split("/"))
                       if e["reply-src-address"].startswith(host + ":"))

    before = to_host()
    assert before[("", f"{host}:22")] == 1
    assert direct.reachable
    sim.set_host(host, up=False, port=80)  # web's port fails; ssh on the same host is healthy
    sim.advance(11)
    after = to_host()
    assert not [mark for mark, reply in after if mark.startswith("lb-web.")]
    assert after == Counter({key: n for key, n in before.items()
                             if not key[0].startswith("lb-web.")})
    assert any(mark.startswith("lb-ssh.") for mark, _ in after)
    # The flushed web clients reconnect to the other server; the ssh ones stay where they were.
    moved = next(r for r in web if r.destination.address == host)
    again = sim.open_connection(moved.client.address, 41000, FRONTEND, 80)
    assert again.new
    assert again.destination.address == SEED["pi134"]["address"]
    stayed = next(r for r in ssh if r.destination.address == host)
    same = sim.open_connection(stayed.client.address, 41001, FRONTEND, 22)
    assert not same.new
    assert same.destination.address == host
    assert not sim.open_connection("198.51.100.200", 41002, host, 22).new


@pytest.mark.parametrize("version", ["6.49", "7.20"])
def test_each_recipient_gets_one_mail_and_a_refused_send_stops_nothing(
    version, simulator_factory, api_connect
) -> None:
    sim = simulator_factory(version=version)
    recipients = ["ops@example.com", "oncall@example.com"]
    site = _lb_site("lab", {"web": {
        "frontend": {"address": FRONTEND, "interface": "ether1", "ports": 80},
        "servers": SEED}}, recipients)
    api = api_connect(sim)
    load_plan(api, plan(site, version))
    tls = {"tls": "starttls"} if sim.profile.is_v7 else {"start-tls": "yes"}
    list(api("/tool/e-mail/set", **{sim.profile.email_server_key: "192.0.2.25", **tls}))
    sim.advance(11)
    sim.set_host(SEED["pi132"]["address"], up=False)
    sim.advance(11)
    assert sorted(mail.to for mail in sim.outbox) == sorted(recipients)
    assert all("pi132 (192.168.1.132) is down" in mail.body for mail in sim.outbox)
    # With no mail server every send is refused: each failure is logged, and the run goes on.
    list(api("/tool/e-mail/set", **{sim.profile.email_server_key: "0.0.0.0"}))  # noqa: S104
    sim.set_host(SEED["pi132"]["address"], up=True)
    sim.advance(11)
    failed = [line["message"] for line in sim.log if "e-mail to" in line["message"]]
    assert sorted(failed) == sorted(f"routeros-lb web: e-mail to {to} failed"
                                    for to in recipients)
    assert not [line for line in sim.log if "script" in line["topics"]
                and "error" in line["topics"]]
    assert len(sim.outbox) == 2


# Two runs at once, statement by statement. The simulator has no `/system script job`, so the
# interleavings are run as one script: run A's and run B's top-level statements merged in an
# order, B's variables renamed apart from A's.
_VARIABLE = re.compile(r"(?<=\$)(\w+)|(?<=:local )(\w+)|(?<=:set )(\w+)|(?<=:foreach )(\w+)")


def _statements(source: str) -> list[str]:
    """The script's top-level statements (a block's lines, indented, up to its closing `}`)."""
    statements: list[str] = []
    for line in source.splitlines():
        if line.startswith(("  ", "}")):
            statements[-1] += "\n" + line
        else:
            statements.append(line)
    return statements


def _renamed(statement: str) -> str:
    return _VARIABLE.sub(lambda m: "other" + m.group(0)[0].upper() + m.group(0)[1:], statement)


def _interleavings(a: int, b: int) -> list[list[tuple[str, int]]]:
    """B started after each of A's statements, and the two alternating statement by statement."""
    orders = [[("a", i) for i in range(k)] + [("b", j) for j in range(b)]
              + [("a", i) for i in range(k, a)] for k in range(a + 1)]
    alternating: list[tuple[str, int]] = []
    for i in range(max(a, b)):
        alternating += [("a", i)] if i < a else []
        alternating += [("b", i)] if i < b else []
    return [*orders, alternating]


@pytest.mark.parametrize("version", ["6.49", "7.20"])
def test_two_runs_interleaved_leave_the_rules_as_one_run_does(
    version, simulator_factory, api_connect
) -> None:
    lab = Lab(simulator_factory(version=version), api_connect, FIVE, "80,443")
    lab.settle()
    # netwatch keeps probing but runs nothing, and no scheduler runs the script: only the
    # interleaved runs below change the rules.
    for watch in lab.api.path("tool", "netwatch"):
        lab.api.path("tool", "netwatch").update(**{".id": watch[".id"], "up-script": "",
                                                   "down-script": ""})
    for event in lab.api.path("system", "scheduler"):
        lab.api.path("system", "scheduler").update(**{".id": event[".id"], "disabled": "yes"})
    statements = [s for s in _statements(lab.plan.sync_script) if not s.startswith("#")]
    other = [_renamed(s) for s in statements]
    assert other != statements
    scripts = lab.api.path("system", "script")
    names = sorted(FIVE)
    everyone = set(names)
    for n, order in enumerate(_interleavings(len(statements), len(other))):
        for down in ({names[n % 5], names[(n + 2) % 5]}, set()):
            lab.set_up(everyone - down)
            lab.settle()
            lab.sim.outbox.clear()
            source = "\n".join(statements[i] if run == "a" else other[i] for run, i in order)
            script = scripts.add(name=f"two-runs-{n}-{len(down)}", source=source,
                                 policy="read,write,test")
            list(lab.api("/system/script/run", **{".id": script}))
            lab.assert_state(everyone - down)
            bodies = " ".join(mail.body for mail in lab.sim.outbox)
            assert 1 <= len(lab.sim.outbox) <= 2  # the worst an interleaving does: news twice
            for name in down or everyone:
                assert bodies.count(f"{name} (") in (1, 2) or name not in (down or set()), name
