"""`render --diff` and `status` on a router edited by hand: a property the plan leaves unset, a rule
moved to another chain, hand-made rules that catch the service's traffic by network, range or
address list; and `status --check`, the monitoring verdict (Nagios/Icinga plugin convention)."""

from __future__ import annotations

import json

import pytest

from tests.tools.conftest import SERVERS
from tests.tools.test_render import MANGLE, NAT, render_cli, run_as_script
from tests.tools.test_status import PASSWORD as STATUS_PASSWORD
from tests.tools.test_status import status_cli
from tools.rsc import render
from tools.site_plan import load_plan

WATCH = "/tool/netwatch"
PASSWORD = STATUS_PASSWORD


@pytest.fixture
def deployed(stacks, simulator_factory, api_connect):
    """A 7.20 router that holds the lab stack, netwatch's first probes done."""
    sim = simulator_factory(version="7.20", password=PASSWORD, seed_defconf=True)
    api = api_connect(sim, password=PASSWORD)
    loaded = load_plan("lab", "7.20", stacks)
    run_as_script(api, render(loaded.plan, email=loaded.site.email))
    sim.advance(15)
    return sim, api


def ours(api, path: str, comment_start: str) -> dict:
    return next(row for row in api.path(path) if row.get("comment", "").startswith(comment_start))


def diff(stacks, sim) -> tuple[int, dict]:
    result = render_cli("--stack", "lab", "--stacks", str(stacks), "--diff", "--json",
                        port=sim.port, password=PASSWORD)
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout)


def test_a_property_set_by_hand_that_the_plan_leaves_unset_is_drift(stacks, deployed) -> None:
    sim, api = deployed
    primary = ours(api, NAT, "web app1 [")
    assert "to-ports" not in primary
    api.path(NAT).update(**{".id": primary[".id"], "to-ports": "8080"})
    code, report = diff(stacks, sim)
    assert code == 1
    [changed] = [o for o in report["objects"] if o["status"] != "same"]
    assert changed["key"] == "web/primary-app1"
    assert changed["changes"] == [{"prop": "to-ports", "router": "8080", "planned": "(unset)"}]
    text = render_cli("--stack", "lab", "--stacks", str(stacks), "--diff", port=sim.port,
                      password=PASSWORD).stdout
    assert "to-ports: router 8080, plan (unset)" in text


def test_a_rule_moved_to_another_chain_is_reported_not_a_crash(stacks, deployed) -> None:
    sim, api = deployed
    entry = ours(api, NAT, "web entry")
    api.path(NAT).update(**{".id": entry[".id"], "chain": "srcnat"})
    code, report = diff(stacks, sim)
    assert code == 1
    assert "dstnat: 1 of web's rules are in another chain" in report["order"]
    [moved] = [o for o in report["objects"] if o["key"] == "web/nat-jump"]
    assert moved["changes"] == [{"prop": "chain", "router": "srcnat", "planned": "dstnat"}]
    status = status_cli(stacks, sim.port, "--check")
    assert status.returncode == 1, status.stdout + status.stderr
    assert "Traceback" not in status.stderr


@pytest.mark.parametrize(("matcher", "value"), [
    ("dst-address", "203.0.113.0/29"),
    ("dst-address", "203.0.113.1-203.0.113.6"),
    ("dst-address", "!198.51.100.7"),
    ("dst-address-list", "public"),
])
def test_a_hand_made_mark_for_the_services_network_range_or_list_competes(
        stacks, deployed, matcher, value) -> None:
    sim, api = deployed
    list(api.path("/ip/firewall/address-list").add(list="public", address="203.0.113.0/28"))
    api.path(MANGLE).add(chain="prerouting", action="mark-connection", protocol="tcp",
                         **{matcher: value, "new-connection-mark": "other"})
    code, report = diff(stacks, sim)
    assert code == 1
    [rule] = report["competing"]
    assert (rule["path"], rule["where"]) == (MANGLE, "after")
    assert f"{matcher}={value}" in rule["summary"]


@pytest.mark.parametrize(("matcher", "value"), [
    ("dst-address", "203.0.113.8/29"),  # the next network: not the frontend's
    ("dst-address", "!203.0.113.0/29"),
    ("dst-address-list", "elsewhere"),
])
def test_a_mark_for_other_destinations_does_not_compete(stacks, deployed, matcher,
                                                        value) -> None:
    sim, api = deployed
    list(api.path("/ip/firewall/address-list").add(list="elsewhere", address="198.51.100.0/24"))
    api.path(MANGLE).add(chain="prerouting", action="mark-connection", protocol="tcp",
                         **{matcher: value, "new-connection-mark": "other"})
    code, report = diff(stacks, sim)
    assert (code, report["competing"]) == (0, [])


def first_line(result) -> str:
    return result.stdout.splitlines()[0]


def test_check_says_ok_when_all_is_well(stacks, deployed) -> None:
    sim, _ = deployed
    result = status_cli(stacks, sim.port, "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert first_line(result).startswith("LB OK - lab: 3/3 servers up, the router matches")
    assert "| servers_up=3;;;0;3" in first_line(result)


def test_check_is_critical_for_a_server_down(stacks, deployed) -> None:
    sim, _ = deployed
    sim.set_host(SERVERS["app2"], up=False)
    sim.advance(11)
    result = status_cli(stacks, sim.port, "--check")
    assert result.returncode == 2, result.stdout
    assert first_line(result).startswith("LB CRITICAL - lab: web: app2 down")
    as_json = json.loads(status_cli(stacks, sim.port, "--check", "--json").stdout)
    assert as_json["check"]["state"] == "CRITICAL"
    assert as_json["check"]["exitStatus"] == 2


def test_check_warns_of_a_server_in_maintenance_and_of_drift(stacks, deployed) -> None:
    sim, api = deployed
    watch = ours(api, WATCH, "web app1 health")
    api.path(WATCH).update(**{".id": watch[".id"], "disabled": "yes"})
    result = status_cli(stacks, sim.port, "--check")
    assert result.returncode == 1, result.stdout
    assert first_line(result).startswith("LB WARNING - lab: web: app1 in maintenance")
    assert "app1" in result.stdout.split("maintenance", 1)[1]  # the table names it too

    api.path(WATCH).update(**{".id": watch[".id"], "disabled": "no"})
    api.path(MANGLE).remove(ours(api, MANGLE, "web slot 0")[".id"])
    result = status_cli(stacks, sim.port, "--check")
    assert result.returncode == 1, result.stdout
    assert "drift: 0 differ, 1 missing" in first_line(result)


def test_check_is_critical_for_a_router_without_the_load_balancer(stacks, simulator_factory):
    sim = simulator_factory(version="7.20", password=PASSWORD, seed_defconf=True)
    result = status_cli(stacks, sim.port, "--check")
    assert result.returncode == 2, result.stdout
    assert first_line(result).startswith("LB CRITICAL - lab: web: no server up")
    plain = status_cli(stacks, sim.port)  # without --check: a report, exit 0
    assert plain.returncode == 0


def test_check_is_unknown_when_the_router_cannot_be_read(stacks) -> None:
    result = status_cli(stacks, 9, "--check")  # nothing listens on the discard port of loopback
    assert result.returncode == 3
    assert first_line(result).startswith("LB UNKNOWN - router 127.0.0.1:9")
    assert result.stderr == ""
    assert status_cli(stacks, 70000, "--check").returncode == 3  # a bad --port: UNKNOWN too
