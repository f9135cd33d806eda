"""`python -m tools.status`: read from a simulated router that holds the lab stack, with a server
down and clients connected: health and since, primaries, connections, slot and group targets,
drift; read-only, one print per menu."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from tests.tools.conftest import FRONTEND, SERVERS
from tests.tools.test_render import run_as_script
from tools.rsc import render
from tools.site_plan import load_plan

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Status-Pass-31"


def status_cli(stacks: Path, port: int, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tools.status", "--stack", "lab", "--stacks", str(stacks),
         "--host", "127.0.0.1", "--port", str(port), *args], cwd=ROOT,
        env={**os.environ, "ROUTEROS_PASSWORD": PASSWORD},
        capture_output=True, text=True, timeout=120, check=False)


def test_status_of_a_router_with_a_server_down(stacks, simulator_factory, api_connect) -> None:
    sim = simulator_factory(version="7.20", password=PASSWORD, seed_defconf=True)
    api = api_connect(sim)
    run_as_script(api, render(load_plan("lab", "7.20", stacks).plan))
    sim.advance(15)
    sim.set_host(SERVERS["app2"], up=False)
    sim.advance(11)
    for i in range(1, 41):
        sim.open_connection(f"198.51.100.{i}", 50000, FRONTEND, 80)

    with sim.router.lock:
        before = Counter(sim.router.stats)
    result = status_cli(stacks, sim.port, "--json")
    with sim.router.lock:
        served = Counter(sim.router.stats) - before
    assert result.returncode == 0, result.stderr
    assert all(command.endswith(("/print", "/login")) for command in served), served
    assert all(count == 1 for command, count in served.items() if command.endswith("/print"))

    status = json.loads(result.stdout)
    assert status["inSync"] is True
    assert status["routerVersion"].startswith("7.20")
    [web] = status["services"]
    app2 = web["servers"]["app2"]
    assert (app2["health"], app2["primary"], app2["connections"]) == ("down", "disabled", 0)
    assert app2["since"]
    assert web["servers"]["app1"]["health"] == "up"
    assert sum(s["connections"] for s in web["servers"].values()) == 40
    assert {slot["now"] for slot in web["slots"] if slot["server"] == "app2"} == {"failover"}
    assert all(group["target"] != "app2" for group in web["groups"])

    text = status_cli(stacks, sim.port)
    assert "the router matches the plan" in text.stdout
    assert max(len(line) for line in text.stdout.splitlines()) <= 80
    assert "app2        192.168.1.12     down     disabled       0" in text.stdout


def test_status_reports_drift(stacks, simulator_factory, api_connect) -> None:
    sim = simulator_factory(version="6.49", password=PASSWORD)
    api = api_connect(sim)
    run_as_script(api, render(load_plan("lab", "6.49", stacks).plan))
    mangle = next(row for row in api.path("/ip/firewall/mangle")
                  if row.get("comment", "").startswith("web slot 0"))
    api.path("/ip/firewall/mangle").remove(mangle[".id"])
    result = status_cli(stacks, sim.port)
    assert result.returncode == 0, result.stderr
    assert "DRIFT: 0 differ, 1 missing, 0 extra, 0 out of order" in result.stdout


def test_an_unreachable_router_is_one_line(stacks) -> None:
    result = status_cli(stacks, 9)  # nothing listens on the discard port of loopback
    assert result.returncode == 2
    assert result.stderr.startswith("error: router 127.0.0.1:9")
    assert "Traceback" not in result.stderr
