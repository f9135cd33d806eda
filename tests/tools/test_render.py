"""`python -m tools.render`: the rendered `.rsc`, run as a script's source on a simulated router
with the default configuration, makes exactly the plan's objects in the plan's order; `--diff`
reads a router and names what is missing, different, extra, and the hand-made rules that
compete."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.testing import VERSIONS
from tests.tools.conftest import FRONTEND, SERVERS, stack_document, write_stack
from tools.router_diff import compare
from tools.rsc import render
from tools.site_plan import load_plan

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Render-Diff-Pass-7"
NAT = "/ip/firewall/nat"
MANGLE = "/ip/firewall/mangle"
MENUS = (MANGLE, NAT, "/system/script", "/system/scheduler", "/tool/netwatch")


def run_as_script(api, text: str) -> None:
    """`/system script add source=…` then `run`, as a person would on the router."""
    script_id = api.path("/system/script").add(name="lb-render", source=text)
    tuple(api("/system/script/run", **{".id": script_id}))
    api.path("/system/script").remove(script_id)


def rows(api) -> dict[str, list[dict]]:
    return {path: list(api.path(path)) for path in MENUS}


@pytest.mark.parametrize("version", VERSIONS)
def test_the_rendered_script_makes_the_plans_objects_on_a_default_router(
        stacks, simulator_factory, api_connect, version) -> None:
    loaded = load_plan("lab", version, stacks)
    sim = simulator_factory(version=version, seed_defconf=True)
    api = api_connect(sim)
    defconf_nat = [row[".id"] for row in api.path(NAT)]

    run_as_script(api, render(loaded.plan))

    diff = compare(loaded.plan, rows(api))
    assert [(o.key, o.status, o.changes) for o in diff.objects if o.status != "same"] == []
    assert diff.extra == []
    assert diff.order == []
    assert len(diff.objects) == len(loaded.plan.services[0].objects)
    # Our entry rules come first among the static rules; the router's own rules are untouched.
    dstnat = [row for row in api.path(NAT) if row["chain"] == "dstnat" and not row["dynamic"]]
    assert dstnat[0]["comment"] == "web entry [lb:lab/web/nat-jump]"
    assert [row[".id"] for row in api.path(NAT) if row[".id"] in defconf_nat] == defconf_nat
    # The sync script ran: clients reach the servers through the frontend.
    served = {sim.open_connection(f"198.51.100.{i}", 40000, FRONTEND, 80).destination.address
              for i in range(1, 60)}
    assert served == set(SERVERS.values())


def render_cli(*args: str, port: int | None = None,
               password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ROUTEROS_PASSWORD": password}
    router = ["--host", "127.0.0.1", "--port", str(port)] if port else []
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tools.render", *args, *router], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=120, check=False)


def test_diff_names_missing_changed_and_competing_rules(stacks, simulator_factory,
                                                        api_connect) -> None:
    sim = simulator_factory(version="7.20", password=PASSWORD)
    api = api_connect(sim)
    hand_made = api.path(NAT).add(chain="dstnat", action="dst-nat", protocol="tcp",
                                  **{"dst-address": FRONTEND, "dst-port": "80",
                                     "to-addresses": "192.168.1.50", "comment": "old web"})
    old_mark = api.path(MANGLE).add(chain="prerouting", action="mark-connection", protocol="tcp",
                                    **{"dst-address": FRONTEND, "dst-port": "80",
                                       "new-connection-mark": "old-web", "comment": "old mark"})

    before = render_cli("--stack", "lab", "--stacks", str(stacks), "--diff", port=sim.port)
    assert before.returncode == 1, before.stderr
    # Missing objects are listed by key, numbered runs folded as the demo folds them.
    missing = [line for line in before.stdout.splitlines() if line.startswith("  missing  ")]
    nat = next(line for line in missing if "/ip firewall nat:" in line).split(": ", 1)[1]
    assert set(nat.split()) == {"web/nat-jump", "web/primary-app1..3", "web/failover-0..6"}
    assert "web/slot-0.." in before.stdout
    assert max(len(line) for line in missing) <= 80
    assert f"{hand_made}: action=dst-nat dst-address={FRONTEND} dst-port=80" in before.stdout
    assert "competes with web: once deployed, routeros-lb's entry rule goes above it" \
        in before.stdout
    assert f"{old_mark}: action=mark-connection dst-address={FRONTEND}" in before.stdout
    assert "will break web: once deployed, routeros-lb's rules come first" in before.stdout

    run_as_script(api, render(load_plan("lab", "7.20", stacks).plan))
    tuple(api("/ip/firewall/nat/move", numbers=hand_made, destination=next(
        row[".id"] for row in api.path(NAT) if row.get("comment", "").startswith("web entry"))))
    watch = next(row for row in api.path("/tool/netwatch") if "app2" in row["comment"])
    api.path("/tool/netwatch").update(**{".id": watch[".id"], "interval": "30s"})
    primary = next(row for row in api.path(NAT) if row.get("comment", "").startswith("web app1"))
    api.path(NAT).update(**{".id": primary[".id"], "disabled": True})  # the router's own script

    after = render_cli("--stack", "lab", "--stacks", str(stacks), "--diff", "--json",
                       port=sim.port)
    assert after.returncode == 1, after.stderr
    report = json.loads(after.stdout)
    assert set(report) == {"inSync", "objects", "extra", "order", "competing"}
    assert set(report["objects"][0]) == {"key", "path", "label", "status", "id", "changes"}
    differing = {o["label"]: o["changes"] for o in report["objects"] if o["status"] != "same"}
    assert differing == {"web app2 health [lb:lab/web/watch-app2]": [
        {"prop": "interval", "router": "30s", "planned": "10s"}]}
    competing = {(rule["path"], rule["id"]): rule for rule in report["competing"]}
    assert set(competing) == {(NAT, hand_made), (MANGLE, old_mark)}
    assert set(competing[NAT, hand_made]) == {"service", "path", "id", "summary", "where",
                                              "message"}
    assert competing[NAT, hand_made]["where"] == "before"
    assert competing[NAT, hand_made]["message"].startswith("shadows web")
    # Our entry went to the top of prerouting, above the old mark, which now re-marks after it.
    assert competing[MANGLE, old_mark]["where"] == "after"
    assert competing[MANGLE, old_mark]["message"].startswith("breaks web")
    assert PASSWORD not in after.stdout + after.stderr


def test_diff_of_a_router_that_matches_exits_zero(stacks, simulator_factory, api_connect) -> None:
    sim = simulator_factory(version="6.49", password=PASSWORD, seed_defconf=True)
    run_as_script(api_connect(sim), render(load_plan("lab", "6.49", stacks).plan))
    result = render_cli("--stack", "lab", "--stacks", str(stacks), "--diff", port=sim.port)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "plan for RouterOS 6.49" in result.stdout  # the router's version, asked
    assert result.stdout.rstrip().endswith("the router matches the plan")


def test_render_prints_the_script_and_json_and_stays_within_80_columns(stacks) -> None:
    text = render_cli("--stack", "lab", "--stacks", str(stacks))
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("# python -m tools.render --stack lab --version 7.20\n")
    long_lines = [line for line in text.stdout.splitlines()
                  if len(line) > 80 and "source=" not in line]
    assert long_lines == []
    as_json = json.loads(render_cli("--stack", "lab", "--stacks", str(stacks), "--json").stdout)
    assert set(as_json) == {"site", "version", "services", "script"}
    [service] = as_json["services"]
    assert set(service) == {"service", "summary", "buckets", "objects"}
    assert set(service["objects"][0]) == {"key", "path", "tag", "properties", "runtimeOwned"}
    assert service["summary"]["servers"] == 3
    assert sorted(set(service["buckets"]["slots"])) == ["app1", "app2", "app3"]
    assert as_json["script"] == text.stdout


@pytest.mark.parametrize(("change", "message"), [
    ({"servers": {"app1": {"address": "192.168.1.300"}}},
     "routeros-lb:services.web.servers.app1.address"),
    ({"health": {"type": "tcp", "port": 80}}, "routeros-lb:services.web.health.type: tcp needs"),
])
def test_bad_stack_config_is_one_line_naming_the_key(tmp_path, change, message) -> None:
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    write_stack(stacks, "bad", stack_document(**change))
    result = render_cli("--stack", "bad", "--stacks", str(stacks), "--version", "6.49")
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_stack_lists_the_known_ones(stacks) -> None:
    result = render_cli("--stack", "nope", "--stacks", str(stacks))
    assert result.returncode == 2
    assert "no stack 'nope'" in result.stderr
    assert "known stacks: lab" in result.stderr
