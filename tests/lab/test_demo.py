"""`make demo` (the README's first command): the dev stack's load balancer deployed on a simulated
router, a server failing and recovering, drift put right, a no-op up and destroy — with the engine
stand-in, and with a `pulumi` on PATH (a stand-in executable that records what it was asked and
plays it with the engine stand-in)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.fake_pulumi import positional
from tests.tools.conftest import stack_document, write_stack

ROOT = Path(__file__).resolve().parents[2]


def path_without_pulumi() -> str:
    return os.pathsep.join(d for d in os.environ.get("PATH", "").split(os.pathsep)
                           if d and not (Path(d) / "pulumi").exists())


def run_demo(*args: str, path: str | None = None, extra_env: dict | None = None,
             timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": path or path_without_pulumi(), **(extra_env or {})}
    env.pop("ROUTEROS_PASSWORD", None)
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "lab.demo", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=timeout, check=False)


def screens(output: str) -> dict[str, str]:
    """`== 3/9 title ===…` sections by title."""
    parts = re.split(r"^== \d/9 (.+?) =*$", output, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_the_demo_deploys_fails_over_recovers_and_destroys() -> None:
    result = run_demo()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "deployed with the engine stand-in" in " ".join(out.split())
    assert "the Pulumi CLI is not on PATH" in " ".join(out.split())
    shown = screens(out)
    assert list(shown) == ["the plan", "pulumi up", "where 1000 clients go", "web1 fails",
                           "the clients again", "web1 recovers", "drift: a change by hand",
                           "pulumi up, again", "pulumi destroy"]
    assert "3 servers" in shown["the plan"]
    assert "create" in shown["the plan"]  # the preview
    assert "dev-email" in shown["pulumi up"]
    assert "the router holds all" in shown["pulumi up"]
    baseline = dict(re.findall(r"^   (web\d)\s+\S+\s+1\s+(\d+)", shown["where 1000 clients go"],
                               re.MULTILINE))
    assert set(baseline) == {"web1", "web2", "web3"}
    assert all(250 <= int(count) <= 420 for count in baseline.values())
    fails = shown["web1 fails"]
    assert "web web1: disabled false -> true" in fails
    assert "from router@dev.example to admin@dev.example" in fails
    assert "web1 (192.168.1.11) is down" in fails
    again = shown["the clients again"]
    assert re.search(r"web1 .* 0 +0\.0% .*\(down\)", again)
    assert "web1's clients moved:" in again
    assert "clients of the other servers that moved: 0" in again
    recovers = shown["web1 recovers"]
    assert "web web1: disabled true -> false" in recovers
    assert "clients back on their original server: 1000 of 1000" in recovers
    drift = shown["drift: a change by hand"]
    assert "drift    dev-email (port)" in drift
    assert "update 1: dev-email" in drift
    assert "SMTP port now: 25" in drift
    assert "nothing written" in shown["pulumi up, again"]
    destroy = shown["pulumi destroy"]
    assert "objects of the stack left on the router: 0" in destroy
    assert "the router's own NAT rules: 1 of 1 kept" in destroy
    assert "server=0.0.0.0" in destroy
    assert max(len(line) for line in out.splitlines()) <= 80


def test_with_pulumi_on_path_the_demo_drives_the_cli(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pulumi"
    fake.write_text(f"#!/bin/sh\nexec {sys.executable} {ROOT / 'tests' / 'fake_pulumi.py'} "
                    '"$@"\n')
    fake.chmod(0o755)
    record = tmp_path / "calls.jsonl"
    dev_stack = (ROOT / "stacks" / "Pulumi.dev.yaml").read_bytes()

    result = run_demo("--clients", "200", path=f"{bin_dir}{os.pathsep}{path_without_pulumi()}",
                      extra_env={"FAKE_PULUMI_RECORD": str(record)})

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"the Pulumi CLI ({fake})" in " ".join(result.stdout.split())
    calls = [json.loads(line) for line in record.read_text().splitlines()]
    commands = [positional(call["argv"])[:2] for call in calls]
    project = calls[0]["argv"][calls[0]["argv"].index("--cwd") + 1]
    assert commands[:3] == [["login", (Path(project).parent / "state").as_uri()],
                            ["stack", "init"], ["config", "set"]]
    assert "--secrets-provider" in calls[1]["argv"]
    assert "--secret" in calls[2]["argv"]
    assert [c[0] for c in commands[3:]] == ["preview", "up", "refresh", "up", "up", "destroy"]
    assert "--diff" in calls[3]["argv"]
    assert "--expect-no-changes" in calls[7]["argv"]
    for call in calls:
        assert call["argv"][call["argv"].index("--cwd") + 1] == project
        assert "--non-interactive" in call["argv"]
        # A local file backend, its own PULUMI_HOME and a throwaway passphrase, all in the same
        # temporary directory; the password reaches pulumi only as a secret on stdin.
        assert call["backend"] == (Path(project).parent / "state").as_uri()
        assert call["home"] == str(Path(project).parent / "home")
        assert call["passphrase"]
        assert not call["passwordInEnvironment"]
        assert {"Pulumi.yaml", "__main__.py", ".venv", "stacks", "components",
                "providers", "balancer", "stackconfig"} <= set(call["project"])
        config = call["stackConfig"]
        if call is calls[0]:  # login names no stack
            continue
        # Read as the CLI hands it to the program: a scalar is its text.
        assert (config["routeros:host"], config["routeros:tls"]) == ("127.0.0.1", "false")
        assert config["routeros-lb:services"]["web"]["servers"]["web1"]["address"] \
            == "192.168.1.11"
    # Every `pulumi` command the README tells a user to type was run by the demo.
    from tests.test_readme import pulumi_commands

    ran = [positional(call["argv"]) for call in calls]
    for words in pulumi_commands():
        verb = words[:2] if words[0] in ("stack", "config") else words[:1]
        assert any(command[:len(verb)] == verb for command in ran), words
    assert not Path(project).parent.exists()  # the temporary directory is gone
    assert (ROOT / "stacks" / "Pulumi.dev.yaml").read_bytes() == dev_stack
    shown = screens(result.stdout)
    assert "web web1: disabled false -> true" in shown["web1 fails"]
    assert "objects of the stack left on the router: 0" in shown["pulumi destroy"]


def test_the_tutorials_site_on_a_v6_router() -> None:
    result = run_demo("--stack", "home", "--clients", "100")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "RouterOS 6.49" in result.stdout
    shown = screens(result.stdout)
    assert "pi132 (192.168.1.132) is down" in shown["pi132 fails"]
    assert "clients back on their original server: 100 of 100" in shown["pi132 recovers"]


def test_another_stack_and_version(tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    write_stack(stacks, "lab", stack_document())
    result = run_demo("--stack", "lab", "--stacks", str(stacks), "--version", "6.49",
                      "--clients", "100")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "RouterOS 6.49" in result.stdout
    assert "app1 (192.168.1.11) is down" in screens(result.stdout)["app1 fails"]


def test_bad_stack_config_names_the_key_and_no_traceback(tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    document = stack_document()
    document["config"]["routeros-lb:services"]["web"]["servers"]["app2"]["weight"] = 500
    write_stack(stacks, "bad", document)
    result = run_demo("--stack", "bad", "--stacks", str(stacks))
    assert result.returncode == 2
    assert "routeros-lb:services.web.servers.app2.weight" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""  # refused before anything started

    on_v6 = run_demo("--version", "6.49")  # dev checks health over HTTP: v7 only
    assert on_v6.returncode == 2
    assert "routeros-lb:services.web.health.type: http needs RouterOS v7" in on_v6.stderr


def test_help_and_an_unknown_stack() -> None:
    help_text = run_demo("--help").stdout
    for option in ("--stack", "--version", "--engine", "--clients"):
        assert option in help_text
    unknown = run_demo("--stack", "nope")
    assert unknown.returncode == 2
    assert "no stack 'nope'" in unknown.stderr


def test_a_failing_pulumi_cli_is_one_message_with_the_way_out(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "pulumi").write_text('#!/bin/sh\necho "error: no language plugin" >&2\nexit 255\n')
    (bin_dir / "pulumi").chmod(0o755)
    result = run_demo("--clients", "10", path=f"{bin_dir}{os.pathsep}{path_without_pulumi()}")
    assert result.returncode == 2
    assert "`pulumi login file://" in result.stderr
    assert "error: no language plugin" in result.stderr
    assert "--engine standin` runs without it" in result.stderr
    assert "Traceback" not in result.stderr
