"""`python -m lab.simulate`: the plan loaded into a fresh simulator, clients sent through it,
servers failed and recovered; the figures hold the load balancer's properties and the output reads
at 80 columns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lab.simulate import scenarios_for, simulate
from tools.site_plan import load_plan

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 600


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from tests.tools.conftest import stack_document, write_stack

    directory = tmp_path_factory.mktemp("stacks")
    write_stack(directory, "lab", stack_document())
    loaded = load_plan("lab", "7.20", directory)
    return loaded, simulate(loaded, CLIENTS, seed=3)


def test_every_single_failure_and_pair_is_played_with_its_recovery(reports) -> None:
    _, [report] = reports
    names = [s.name for s in report.scenarios]
    assert names == ["baseline",
                     "app1 down", "app1 back", "app2 down", "app2 back", "app3 down", "app3 back",
                     "app1 + app2 down", "app1 + app2 back", "app1 + app3 down",
                     "app1 + app3 back", "app2 + app3 down", "app2 + app3 back"]


def test_the_figures_hold_the_properties(reports) -> None:
    _, [report] = reports
    baseline, *rest = report.scenarios
    # Property 1 (within what 600 clients allow): weights 1, 1, 2.
    assert baseline.share["app3"] == pytest.approx(0.5, abs=0.08)
    assert baseline.share["app1"] == pytest.approx(0.25, abs=0.08)
    for scenario in rest:
        assert scenario.unserved == 0
        assert scenario.moved_others == 0  # property 3: nobody else moves
        if scenario.kind == "failure":
            assert all(scenario.share[name] == 0 for name in scenario.down)
            assert scenario.moved == pytest.approx(sum(baseline.share[n] for n in scenario.down),
                                                   abs=1e-3)
            assert scenario.worst_ratio <= 2.0
            assert scenario.emails >= 1
        else:
            assert scenario.back_to_original == 1.0  # recovery restores every client
            assert scenario.emails >= 1
    singles = [s for s in rest if len(s.name.split(" + ")) == 1]
    assert [s.emails for s in singles] == [1] * 6  # one e-mail per state change
    assert baseline.rules_other < baseline.rules_mean


def test_pairs_only_up_to_six_servers() -> None:
    assert len(scenarios_for([f"s{i}" for i in range(6)])) == 6 + 15
    assert len(scenarios_for([f"s{i}" for i in range(7)])) == 7
    assert scenarios_for(["a", "b"]) == [("a",), ("b",)]


def simulate_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "lab.simulate", *args], cwd=ROOT, env=dict(os.environ),
        capture_output=True, text=True, timeout=300, check=False)


def test_the_command_prints_tables_within_80_columns_and_stable_json(stacks) -> None:
    text = simulate_cli("--stack", "lab", "--stacks", str(stacks), "--clients", "60")
    assert text.returncode == 0, text.stderr
    assert "app1 down" in text.stdout
    assert max(len(line) for line in text.stdout.splitlines()) <= 80
    assert text.stderr == ""  # no progress when stderr is not a terminal
    result = simulate_cli("--stack", "lab", "--stacks", str(stacks), "--clients", "60",
                          "--json", "--version", "6.49")
    report = json.loads(result.stdout)
    assert set(report) == {"stack", "site", "version", "clients", "seed", "services"}
    assert report["version"] == "6.49"
    [service] = report["services"]
    assert set(service) == {"service", "frontend", "servers", "scenarios"}
    baseline, failure, recovery = service["scenarios"][:3]
    common = {"name", "kind", "down", "share", "unserved", "moved", "movedOthers",
              "worstRatioToFairShare", "emailsSent", "rulesPerFirstPacket"}
    assert set(baseline) == common | {"rulesOtherTraffic"}
    assert set(failure) == common
    assert set(recovery) == common | {"backToOriginal"}


def test_help_and_bad_arguments(stacks) -> None:
    assert "--clients N" in simulate_cli("--help").stdout
    bad = simulate_cli("--stack", "lab", "--stacks", str(stacks), "--clients", "0")
    assert bad.returncode == 2
    assert "--clients must be 1-100000, not 0" in bad.stderr


def test_the_simulated_version_follows_the_plans() -> None:
    from lab.sim_loader import simulator_version
    from tools.cli_common import ToolError

    assert simulator_version("6.49") == "6.49"
    assert simulator_version("7") == "7.20"  # the program's default: any v7
    assert simulator_version("6") == "6.49"
    with pytest.raises(ToolError, match="the simulator plays RouterOS 6.40, 6.49"):
        simulator_version("7.18")
