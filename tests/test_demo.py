"""`make demo` (the README's first command) runs the main job against the simulator end to end."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_demo_applies_the_dev_stack_and_keeps_it() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.demo"], cwd=ROOT, capture_output=True, text=True,
        timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sections = [s.split("\n", 1) for s in result.stdout.split("\n== ")[1:]]
    ups = [body for title, body in sections if title == "pulumi up"]
    again = next(body for title, body in sections if title == "pulumi up (again)")
    refresh = next(body for title, body in sections if title == "pulumi refresh")
    destroy = next(body for title, body in sections if title == "pulumi destroy")
    assert "create   dev-email" in ups[0]
    assert "no changes" in again
    assert "refresh  dev-email (port)" in refresh
    assert "update   dev-email (port)" in ups[1]
    assert "from router@dev.example to admin@dev.example" in result.stdout
    assert "server=0.0.0.0" in destroy
