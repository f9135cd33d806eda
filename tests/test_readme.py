"""Every command in the README is run by a test or by `make demo`, and the README's simulator
session works as written.

- `make` targets: each is a target of the Makefile (`make demo` runs `python -m lab.demo`, which
  tests/lab/test_demo.py runs; `make test` is this suite; `make sim` runs `python -m simulator`).
- `.venv/bin/python -m tools...` and `-m lab...` commands that need no router are run here; the
  ones that read a router (`render --diff`, `status`) are run against a simulator by tests/tools/.
- `pulumi` commands are run by the demo's CLI path (tests/lab/test_demo.py checks each README
  command is among the ones it recorded).
- `ROUTEROS_TEST_*=... make test` is the real-router mode, run by tests/test_real_router_mode.py.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
ROUTER_READING = {
    ("tools.render", "--diff"): "tests/tools/test_render.py",
    ("tools.status", ""): "tests/tools/test_status.py",
}


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.MULTILINE | re.DOTALL)


def commands() -> list[str]:
    out = []
    for block in blocks("sh"):
        for line in block.splitlines():
            command = re.split(r"\s+#\s", line, maxsplit=1)[0].strip()
            if command:
                out.append(command)
    return out


def pulumi_commands() -> list[list[str]]:
    """`pulumi <words>` of the README, without flags: what the demo must have run."""
    return [[w for w in shlex.split(c)[1:] if not w.startswith("-")]
            for c in commands() if c.startswith("pulumi ")]


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z]+):", text, flags=re.MULTILINE))


def test_every_command_is_accounted_for() -> None:
    unknown = []
    for command in commands():
        words = shlex.split(command)
        if words[0] == "make":
            assert words[1] in makefile_targets(), command
        elif words[0] == "export" or words[0] == "pulumi":
            continue  # a shell builtin; pulumi: see tests/lab/test_demo.py
        elif words[0].startswith("ROUTEROS_TEST_"):
            from tests.real_router import HOST_ENV, PASSWORD_ENV, VERSION_ENV

            names = {w.split("=")[0] for w in words if "=" in w}
            assert names == {HOST_ENV, PASSWORD_ENV, VERSION_ENV}, command
            assert words[-2:] == ["make", "test"]
        elif words[0] == ".venv/bin/python" and words[1:3] == ["-m", words[2]]:
            continue  # run below
        else:
            unknown.append(command)
    assert unknown == []


def tool_commands() -> list[list[str]]:
    return [shlex.split(c) for c in commands() if c.startswith((".venv/bin/python -m tools.",
                                                     ".venv/bin/python -m lab."))]


@pytest.mark.parametrize("words", tool_commands(), ids=lambda words: " ".join(words[2:]))
def test_tool_commands_run(words: list[str], tmp_path: Path) -> None:
    module = words[2]
    args = words[3:]
    if ">" in args:  # the output goes to a file: here, to a temporary one
        args, target = args[:args.index(">")], args[args.index(">") + 1]
    else:
        target = None
    for (reader, flag), test_file in ROUTER_READING.items():
        if module == reader and (not flag or flag in args):
            text = (ROOT / test_file).read_text()
            assert f"-m\", \"{module}\"" in text or f'"-m", "{module}"' in text
            return  # run there, against a simulated router
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True,
        timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    if target is not None:
        (tmp_path / target).write_text(result.stdout)
        assert result.stdout.startswith("# python -m tools.render")


def test_the_simulator_session_runs_as_written(simulator_factory, api_connect) -> None:
    from simulator.console import Console
    from tests.tools.test_render import run_as_script
    from tools.rsc import render
    from tools.site_plan import load_plan

    [session] = blocks("text")
    typed = [line.removeprefix("> ") for line in session.splitlines() if line.startswith("> ")]
    assert typed[0].startswith("down ")
    sim = simulator_factory(version="7.20", seed_defconf=True)
    api = api_connect(sim)
    loaded = load_plan("dev")
    run_as_script(api, render(loaded.plan, email=loaded.site.email))  # what `up --stack dev` makes
    console = Console(sim, virtual_clock=True)
    console.execute("advance 10s")  # netwatch's first look, as after a while on `make sim`
    answers = {line: console.execute(line) for line in typed}
    assert not [answer for answer in answers.values() if answer.startswith("error:")]
    assert "192.168.1.11" not in answers["clients 100 203.0.113.2 80"]  # it is down
    assert "is down" in answers["mail"]


def test_the_make_targets_run_what_the_readme_says() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "$(PY) -m lab.demo" in makefile
    assert "$(PY) -m simulator --port $(PORT)" in makefile
    assert "--clock $(CLOCK)" in makefile


def test_the_simulator_options_the_readme_names_are_in_its_help() -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "simulator", "--help"], cwd=ROOT, capture_output=True, text=True,
        timeout=60, check=False)
    assert result.returncode == 0
    for option in ("--version", "--tls", "--port", "--state", "--seed-defconf", "--password",
                   "--clock"):
        assert option in result.stdout
        assert f"`{option}" in README
    for command in ("down <address>", "up <address>", "advance", "clients <N> <dst> <port>",
                    "mail", "log", "help"):
        assert command in " ".join(result.stdout.split())
