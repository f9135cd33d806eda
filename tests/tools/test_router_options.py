"""The router options of the tools that read a router (`render --diff`, `status`): a bad one
ends in one line naming the option and what it allows, before any connection is tried."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("tool", [["tools.status"], ["tools.render", "--diff"]])
@pytest.mark.parametrize(("options", "named", "allowed"), [
    (["--host", "bad host"], "--host", "neither an IP address nor a host name"),
    (["--host", "127.0.0.1", "--port", "70000"], "--port", "70000 is not a port (1 to 65535)"),
    (["--host", "127.0.0.1", "--user", "b a d"], "--user", "printable ASCII"),
])
def test_a_bad_router_option_is_one_line_naming_it(stacks: Path, tool: list[str],
                                                  options: list[str], named: str,
                                                  allowed: str) -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", *tool, "--stack", "lab", "--stacks", str(stacks), *options],
        cwd=ROOT, env={**os.environ, "ROUTEROS_PASSWORD": "unused-Pass-1"},
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {named}: ")
    assert allowed in lines[0]
    assert "pydantic" not in result.stderr
